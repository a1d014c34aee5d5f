package io.timeshift.guest.tls;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cipher suites a raw ClientHello offers, strongest first so that a server honouring the
 * client's order picks the best suite it has. Legacy suites (3DES, RC4, DES, export grade, Camellia,
 * SEED, IDEA) are included because old BMCs speak nothing else; NULL and anonymous suites are not
 * (no BMC console uses them). Names are the IANA names; the JDK calls some of the old ones
 * {@code SSL_...}.
 */
public final class CipherSuites {
    /** TLS_EMPTY_RENEGOTIATION_INFO_SCSV: signals secure renegotiation without an extension (works for SSLv3 too). */
    public static final int RENEGOTIATION_SCSV = 0x00FF;

    private static final Map<Integer, String> NAMES = new LinkedHashMap<>();
    private static final List<Integer> TLS13 = new ArrayList<>();

    static {
        tls13(0x1302, "TLS_AES_256_GCM_SHA384");
        tls13(0x1301, "TLS_AES_128_GCM_SHA256");
        tls13(0x1303, "TLS_CHACHA20_POLY1305_SHA256");
        tls13(0x1304, "TLS_AES_128_CCM_SHA256");
        tls13(0x1305, "TLS_AES_128_CCM_8_SHA256");
        add(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
        add(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
        add(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        add(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        add(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
        add(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
        add(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384");
        add(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256");
        add(0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
        add(0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384");
        add(0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256");
        add(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384");
        add(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384");
        add(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256");
        add(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256");
        add(0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256");
        add(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256");
        add(0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256");
        add(0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256");
        add(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA");
        add(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
        add(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA");
        add(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
        add(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA");
        add(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA");
        add(0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA");
        add(0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA");
        add(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384");
        add(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256");
        add(0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256");
        add(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256");
        add(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA");
        add(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA");
        add(0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA");
        add(0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA");
        add(0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA");
        add(0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA");
        add(0x0096, "TLS_RSA_WITH_SEED_CBC_SHA");
        add(0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA");
        add(0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA");
        add(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA");
        add(0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA");
        add(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
        add(0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA");
        add(0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA");
        add(0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA");
        add(0x0005, "TLS_RSA_WITH_RC4_128_SHA");
        add(0x0004, "TLS_RSA_WITH_RC4_128_MD5");
        add(0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA");
        add(0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA");
        add(0x0009, "TLS_RSA_WITH_DES_CBC_SHA");
        add(0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA");
        add(0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA");
        add(0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA");
        add(0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5");
        add(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5");
    }

    private CipherSuites() {
    }

    private static void add(int id, String name) {
        NAMES.put(id, name);
    }

    private static void tls13(int id, String name) {
        NAMES.put(id, name);
        TLS13.add(id);
    }

    /** Every TLS 1.0-1.2 suite, strongest first. */
    public static List<Integer> legacyAndModern() {
        List<Integer> out = new ArrayList<>();
        for (Integer id : NAMES.keySet()) {
            if (!TLS13.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }

    /** The five TLS 1.3 suites. */
    public static List<Integer> tls13() {
        return Collections.unmodifiableList(TLS13);
    }

    /** The ids of the given names (JDK {@code SSL_} aliases accepted) that this table knows. */
    public static List<Integer> idsOf(Iterable<String> names) {
        Set<String> wanted = new LinkedHashSet<>();
        for (String n : names) {
            wanted.add(normalize(n));
        }
        List<Integer> out = new ArrayList<>();
        for (Map.Entry<Integer, String> e : NAMES.entrySet()) {
            if (wanted.contains(e.getValue()) && !TLS13.contains(e.getKey())) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** IANA name, or {@code 0xC0FF} for suites this table does not know. */
    public static String name(int id) {
        String n = NAMES.get(id);
        return n != null ? n : String.format("0x%04X", id);
    }

    /** The JDK names SSLv3-era suites {@code SSL_...}; the IANA name is {@code TLS_...}. */
    public static String normalize(String name) {
        return name.startsWith("SSL_") ? "TLS_" + name.substring(4) : name;
    }

    public static boolean isDhe(String name) {
        return name.startsWith("TLS_DHE_") || name.startsWith("TLS_DH_");
    }

    /**
     * The algorithm names {@code jdk.tls.disabledAlgorithms} entries can match for a suite, following
     * the JDK's SSLAlgorithmDecomposer: the suite name (both spellings), its key exchange and the
     * components, its bulk cipher and the cipher's base algorithm, and its MAC as Hmac name.
     */
    public static Set<String> constraintTokens(String name) {
        Set<String> t = new LinkedHashSet<>();
        t.add(name);
        if (name.startsWith("TLS_")) {
            t.add("SSL_" + name.substring(4));
        }
        int with = name.indexOf("_WITH_");
        if (with < 0) {
            return t; // TLS 1.3 suites: AEAD only
        }
        String kx = name.substring(4, with);
        t.add(kx);
        for (String part : kx.split("_")) {
            if (part.equals("anon") || part.equals("EXPORT") || part.equals("DHE") || part.equals("ECDHE")) {
                t.add(part);
            }
        }
        if (kx.startsWith("DHE")) {
            t.add("DH");
        }
        if (kx.startsWith("ECDH_")) {
            t.add("ECDH");
        }
        String rest = name.substring(with + 6);
        int lastUnderscore = rest.lastIndexOf('_');
        String cipher = rest.substring(0, lastUnderscore);
        String mac = rest.substring(lastUnderscore + 1);
        t.add(cipher);
        if (cipher.startsWith("RC4")) {
            t.add("RC4");
        } else if (cipher.startsWith("3DES")) {
            t.add("DESede");
        } else if (cipher.startsWith("DES")) {
            t.add("DES");
        } else if (cipher.startsWith("RC2")) {
            t.add("RC2");
        } else if (cipher.equals("NULL")) {
            t.add("C_NULL");
        } else if (cipher.startsWith("AES")) {
            t.add("AES");
        }
        t.add(switch (mac) {
            case "SHA" -> "HmacSHA1";
            case "MD5" -> "HmacMD5";
            case "SHA256" -> "HmacSHA256";
            case "SHA384" -> "HmacSHA384";
            default -> mac;
        });
        return t;
    }
}
