package io.timeshift.host.testing;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.nio.charset.StandardCharsets;

/** Generators of what an adversary writes into a file or a guest reply: any UTF-16 unit, biased to the ones that broke things. */
public final class Hostile {
    public static final String NASTY = "\u0000\n\r\t\u001b\u007f\u0085\u009b\u2028\u202e\ud800\udc00\"\\/{}[],:-+.eE0123456789PTDYyhmsdw";

    private Hostile() {
    }

    public static Arbitrary<String> text(int max) {
        return Arbitraries.oneOf(
                Arbitraries.strings().withCharRange((char) 0, Character.MAX_VALUE).ofMaxLength(max),
                Arbitraries.strings().withChars(NASTY.toCharArray()).ofMaxLength(max),
                Arbitraries.strings().ascii().ofMaxLength(max));
    }

    /** A JSON value as text: strings with anything in them, numbers of any size, nesting, literals. */
    public static Arbitrary<String> jsonValue() {
        return Arbitraries.oneOf(
                text(40).map(Hostile::quoted),
                Arbitraries.of("null", "true", "false", "0", "-1", "1e400", "-1e400", "1.5", "9223372036854775807",
                        "-9223372036854775808", "9223372036854775808", "1" + "0".repeat(99), "[]", "{}", "[1,\"a\"]",
                        "{\"x\":null}", "\"2021-03-01T12:00:00Z\"", "\"1677-09-21T00:12:43.145224192Z\"",
                        "\"+1000000000-01-01T00:00:00Z\"", "\"-300y\"", "\"P200000D\"", "\"PT2S\"", "\"-P1095D\""),
                Arbitraries.longs().map(String::valueOf));
    }

    /** A JSON string literal of {@code s}, escaped the way a hand-editor or a fuzzer might (control characters as \\u). */
    public static String quoted(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** Bytes: random, or the UTF-8 of hostile text (with a stray invalid byte sometimes). */
    public static Arbitrary<byte[]> bytes(int max) {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(max),
                text(max).map(s -> s.getBytes(StandardCharsets.UTF_8)));
    }
}
