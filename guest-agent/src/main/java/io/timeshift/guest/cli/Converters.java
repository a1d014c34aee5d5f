package io.timeshift.guest.cli;

import io.timeshift.guest.time.Durations;
import io.timeshift.guest.time.Whens;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine;

/** picocli converters whose errors show the valid forms. */
final class Converters {
    private Converters() {
    }

    static final class WhenConverter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return Whens.parse(value, "date");
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a date; use " + Whens.VALID_FORMS);
            }
        }
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value, "duration");
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration; use " + Durations.VALID_FORMS);
            }
        }
    }
}
