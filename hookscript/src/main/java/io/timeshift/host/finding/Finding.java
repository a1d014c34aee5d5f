package io.timeshift.host.finding;

import io.timeshift.common.text.Sanitizer;

import java.util.LinkedHashMap;
import java.util.Map;

/** One problem with its fix; {@code source} says who found it ({@code host} or {@code guest}). */
public record Finding(String problem, String fix, String source) {
    public static Finding host(String problem, String fix) {
        return new Finding(problem, fix, "host");
    }

    /** One line: "problem (fix: ...)". */
    public String line() {
        // problems quote files and guests: one safe line whatever they hold
        return io.timeshift.common.text.Sanitizer.line(problem + (fix == null || fix.isBlank() ? "" : " (fix: " + fix + ")"));
    }

    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("problem", problem);
        m.put("fix", fix);
        m.put("source", source);
        return m;
    }
}
