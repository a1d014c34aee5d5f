package io.timeshift.common.text;

import io.timeshift.testsupport.HostileText;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SanitizerTest {

    @Nested
    class Escaping {
        @Test
        void newlinesTabsAndReturnsBecomeBackslashLetters() {
            assertEquals("a\\nb\\rc\\td", Sanitizer.value("a\nb\rc\td"));
        }

        @Test
        void escAndNulAndDelAndC1BecomeLowerCaseUnicodeEscapes() {
            assertEquals("\\u001b[31mred\\u0000\\u007f\\u009b", Sanitizer.value("\u001b[31mred\u0000\u007f\u009b"));
        }

        @Test
        void lineSeparatorsBidiControlsAndLoneSurrogatesAreEscapedButPairsKept() {
            assertEquals("\\u2028\\u202e\\ud800x\\udc00\ud83d\ude00", Sanitizer.value("\u2028\u202e\ud800x\udc00\ud83d\ude00"));
        }

        @Test
        void cleanTextIsReturnedAsIs() {
            String s = "VM 105: field 'offset': 'é€' ok";
            assertEquals(s, Sanitizer.value(s));
        }

        @Test
        void nullIsTheWordNull() {
            assertEquals("null", Sanitizer.value(null));
        }
    }

    @Nested
    class Cutting {
        @Test
        void aTenMegabyteValueIsCutTo200CharactersWithAnEllipsis() {
            String cut = Sanitizer.value("x".repeat(10 << 20));
            assertEquals(200, cut.length());
            assertEquals("x".repeat(199) + "\u2026", cut);
        }

        @Test
        void aValueOfExactly200CharactersIsNotCut() {
            assertEquals("y".repeat(200), Sanitizer.value("y".repeat(200)));
        }

        @Test
        void neverCutsInsideAnEscapeOrAPair() {
            String cut = Sanitizer.value("a".repeat(197) + "\u001b");
            assertEquals("a".repeat(197) + "\u2026", cut, "the 6-character escape does not fit: dropped whole");
            String pair = Sanitizer.value("a".repeat(198) + "\ud83d\ude00b");
            assertEquals("a".repeat(198) + "\u2026", pair);
        }

        @Test
        void linesAreCutAtOneThousand() {
            assertEquals(1000, Sanitizer.line("z".repeat(5000)).length());
        }
    }

    @Nested
    class Properties {
        @Provide
        Arbitrary<String> text() {
            return HostileText.anyText(600);
        }

        @Property(tries = 2000)
        void resultIsOneSafeLineWithinTheLimit(@ForAll("text") String s, @ForAll @IntRange(min = 8, max = 400) int limit) {
            String r = Sanitizer.escape(s, limit);
            assertTrue(r.length() <= limit, () -> "length " + r.length() + " > " + limit);
            for (int i = 0; i < r.length(); i++) {
                char c = r.charAt(i);
                assertFalse(Sanitizer.needsEscape(c), () -> "unescaped U+" + Integer.toHexString(c));
                if (Character.isHighSurrogate(c)) {
                    assertTrue(i + 1 < r.length() && Character.isLowSurrogate(r.charAt(i + 1)), "lone high surrogate");
                    i++;
                } else {
                    assertFalse(Character.isLowSurrogate(c), "lone low surrogate");
                }
            }
        }

        @Property(tries = 2000)
        void sanitizingTwiceChangesNothing(@ForAll("text") String s) {
            String once = Sanitizer.value(s);
            assertEquals(once, Sanitizer.value(once));
        }

        @Property(tries = 1000)
        void printableTextWithinTheLimitIsReturnedUnchanged(@ForAll("text") String s) {
            String printable = s.replaceAll("[\\p{Cc}\\p{Cs}\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069\\u200e\\u200f\\u061c]", "");
            if (printable.length() <= Sanitizer.LINE_MAX) {
                assertEquals(printable, Sanitizer.line(printable));
            }
        }
    }
}
