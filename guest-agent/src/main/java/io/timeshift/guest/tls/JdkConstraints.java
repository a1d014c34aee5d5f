package io.timeshift.guest.tls;

import java.security.Security;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code jdk.*.disabledAlgorithms} list, read (never written) from this JDK's security
 * properties, and edited copies of it for the relaxation advice. Entry syntax is the one documented
 * in {@code java.security}: {@code Algorithm [Constraint {& Constraint}]}, constraints being
 * {@code keySize op n}, {@code jdkCA}, {@code denyAfter yyyy-mm-dd} and {@code usage ...}; JDK 24
 * adds {@code TLS_RSA_*} style wildcards. Immutable.
 */
public final class JdkConstraints {
    public static final String TLS = "jdk.tls.disabledAlgorithms";
    public static final String CERTPATH = "jdk.certpath.disabledAlgorithms";
    private static final Pattern KEY_SIZE = Pattern.compile("keySize\\s*(<=|<|==|!=|>=|>)\\s*(\\d+)");

    private final String property;
    private final List<String> entries;

    private JdkConstraints(String property, List<String> entries) {
        this.property = property;
        this.entries = List.copyOf(entries);
    }

    /** This JDK's current value of {@code property} ({@link Security#getProperty}; never set). */
    public static JdkConstraints current(String property) {
        return parse(property, Security.getProperty(property));
    }

    public static JdkConstraints parse(String property, String value) {
        List<String> entries = new ArrayList<>();
        if (value != null) {
            for (String e : value.split(",")) {
                if (!e.isBlank()) {
                    entries.add(e.trim().replaceAll("\\s+", " "));
                }
            }
        }
        return new JdkConstraints(property, entries);
    }

    /** The {@code property=value} line, entries joined as java.security writes them. */
    public String assignment() {
        return property + "=" + String.join(", ", entries);
    }

    /**
     * Entries that forbid an algorithm known by any of {@code names} outright, or under constraints
     * that all apply to a TLS server certificate from a private CA at {@code now} ({@code jdkCA} does
     * not apply: BMC certificates do not chain to the JDK's cacerts; {@code usage} applies when it
     * lists TLSServer; {@code denyAfter} when {@code now} is after it). Key-size entries are not
     * matched here; see {@link #withKeySize}.
     */
    public List<String> blocking(Collection<String> names, Instant now) {
        List<String> out = new ArrayList<>();
        for (String e : entries) {
            String[] parts = e.split(" ", 2);
            String alg = parts[0];
            if (alg.equalsIgnoreCase("include")) {
                continue;
            }
            if (!matches(alg, names)) {
                continue;
            }
            if (parts.length == 1 || constraintsApply(parts[1], now)) {
                out.add(e);
            }
        }
        return out;
    }

    private static boolean matches(String alg, Collection<String> names) {
        for (String n : names) {
            if (alg.endsWith("*") ? n.toUpperCase(Locale.ROOT).startsWith(alg.substring(0, alg.length() - 1).toUpperCase(Locale.ROOT))
                    : alg.equalsIgnoreCase(n)) {
                return true;
            }
        }
        return false;
    }

    private static boolean constraintsApply(String constraints, Instant now) {
        for (String c : constraints.split("&")) {
            String t = c.trim();
            if (t.startsWith("keySize") || t.equals("jdkCA")) {
                return false;
            }
            if (t.startsWith("usage") && !t.contains("TLSServer")) {
                return false;
            }
            if (t.startsWith("denyAfter")) {
                String date = t.substring("denyAfter".length()).trim();
                try {
                    if (!now.isAfter(LocalDate.parse(date).atStartOfDay(ZoneOffset.UTC).toInstant())) {
                        return false;
                    }
                } catch (RuntimeException ex) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A copy without the given entries. */
    public JdkConstraints without(Collection<String> remove) {
        List<String> kept = new ArrayList<>(entries);
        kept.removeAll(remove);
        return new JdkConstraints(property, kept);
    }

    /**
     * A copy in which every {@code <algorithm> keySize ...} entry that forbids a key of {@code bits}
     * is loosened just enough: {@code RSA keySize < 1024} becomes {@code RSA keySize < 512} for a
     * 512-bit key; other operators that forbid it are dropped.
     */
    public JdkConstraints withKeySize(String algorithm, int bits) {
        List<String> out = new ArrayList<>();
        for (String e : entries) {
            String[] parts = e.split(" ", 2);
            Matcher m = parts.length == 2 ? KEY_SIZE.matcher(parts[1].trim()) : null;
            if (m == null || !parts[0].equalsIgnoreCase(algorithm) || !m.matches()) {
                out.add(e);
                continue;
            }
            int n = Integer.parseInt(m.group(2));
            boolean forbids = switch (m.group(1)) {
                case "<" -> bits < n;
                case "<=" -> bits <= n;
                case "==" -> bits == n;
                case "!=" -> bits != n;
                case ">=" -> bits >= n;
                default -> bits > n;
            };
            if (!forbids) {
                out.add(e);
            } else if (m.group(1).startsWith("<")) {
                out.add(parts[0] + " keySize < " + bits);
            }
        }
        return new JdkConstraints(property, out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JdkConstraints other && other.property.equals(property) && other.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return property.hashCode() * 31 + entries.hashCode();
    }

    @Override
    public String toString() {
        return assignment();
    }
}
