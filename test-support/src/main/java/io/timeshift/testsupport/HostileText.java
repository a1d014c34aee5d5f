package io.timeshift.testsupport;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Generators of text an adversary would send: any UTF-16 unit, biased to the characters that break things. */
public final class HostileText {
    /** Characters that broke something once: NUL, newline, ESC, DEL, C1, separators, bidi, lone surrogates, quotes. */
    public static final String NASTY = "\u0000\n\r\t\u001b\u007f\u0085\u009b\u2028\u2029\u202e\u2066\ud800\udbff\udc00\udfff\"\\/{}[],:"
            + "\u00e9\ufeff\uffff";

    private HostileText() {
    }

    /** Any string of UTF-16 units (lone surrogates included), short or up to {@code max} long. */
    public static Arbitrary<String> anyText(int max) {
        return Arbitraries.oneOf(
                Arbitraries.strings().withCharRange((char) 0, Character.MAX_VALUE).ofMaxLength(max),
                Arbitraries.strings().withChars(NASTY.toCharArray()).withCharRange('a', 'c').ofMaxLength(max),
                Arbitraries.strings().ascii().ofMaxLength(max));
    }
}
