package io.timeshift.pve.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An API path built one segment at a time: the only place paths are put together. Each client level
 * ({@link PveClient} → {@link NodeApi} → {@link QemuApi}) adds its segment with {@link #child}; no
 * caller concatenates strings. Segments are raw: the HTTPS transport percent-encodes them, pvesh
 * takes them as they are.
 */
public final class ApiPath {
    /** The API root {@code /}. */
    public static final ApiPath ROOT = new ApiPath(List.of());

    private final List<String> segments;

    private ApiPath(List<String> segments) {
        this.segments = segments;
    }

    /** Shorthand for {@code ROOT.child(a).child(b)...}. */
    public static ApiPath of(String... segments) {
        ApiPath p = ROOT;
        for (String s : segments) {
            p = p.child(s);
        }
        return p;
    }

    /**
     * This path plus one segment.
     *
     * @throws IllegalArgumentException for an empty segment, {@code .}/{@code ..}, or one containing
     *                                  {@code /}, white space or control characters (caller bugs:
     *                                  user input is validated before it gets here)
     */
    public ApiPath child(String segment) {
        if (segment == null || segment.isEmpty() || segment.equals(".") || segment.equals("..")
                || segment.chars().anyMatch(c -> c == '/' || c == '?' || c == '#' || Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new IllegalArgumentException("invalid API path segment '" + segment + "' below " + this);
        }
        List<String> s = new ArrayList<>(segments.size() + 1);
        s.addAll(segments);
        s.add(segment);
        return new ApiPath(Collections.unmodifiableList(s));
    }

    public List<String> segments() {
        return segments;
    }

    /** {@code /a/b/c}; {@code /} for the root. */
    @Override
    public String toString() {
        return segments.isEmpty() ? "/" : "/" + String.join("/", segments);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApiPath p && p.segments.equals(segments);
    }

    @Override
    public int hashCode() {
        return segments.hashCode();
    }
}
