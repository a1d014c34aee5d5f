package io.timeshift.guest.cli;

import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.time.Durations;
import io.timeshift.common.time.Whens;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine;

/**
 * picocli converters over the one grammar in common; their errors are common's one line (the valid
 * forms or the bound), without the field, which picocli names itself ("Invalid value for option ...").
 */
final class Converters {
    private static final String FIELD = "value";

    private Converters() {
    }

    private static String withoutField(InvalidInputException e) {
        String m = e.getMessage();
        return m.startsWith(FIELD + ": ") ? m.substring(FIELD.length() + 2) : m;
    }

    static final class WhenConverter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return Whens.parse(value, FIELD);
            } catch (InvalidInputException e) {
                throw new CommandLine.TypeConversionException(withoutField(e));
            }
        }
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value, FIELD);
            } catch (InvalidInputException e) {
                throw new CommandLine.TypeConversionException(withoutField(e));
            }
        }
    }
}
