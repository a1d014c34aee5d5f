package io.timeshift.guest.tls;

/** The protocol versions probed, with their wire codes and the contract's JSON names. */
public enum TlsVersion {
    SSLv3(0x0300, "SSLv3", 0),
    TLSv1(0x0301, "TLSv1", 1),
    TLSv1_1(0x0302, "TLSv1.1", 2),
    TLSv1_2(0x0303, "TLSv1.2", 3),
    TLSv1_3(0x0304, "TLSv1.3", 4);

    private final int code;
    private final String jsonName;
    private final int firefoxLevel;

    TlsVersion(int code, String jsonName, int firefoxLevel) {
        this.code = code;
        this.jsonName = jsonName;
        this.firefoxLevel = firefoxLevel;
    }

    public int code() {
        return code;
    }

    /** Name as in the contract and in {@code jdk.tls.disabledAlgorithms}: SSLv3, TLSv1, TLSv1.1, ... */
    public String jsonName() {
        return jsonName;
    }

    /** Firefox's {@code security.tls.version.min} value for this version. */
    public int firefoxLevel() {
        return firefoxLevel;
    }

    /** The name OpenSSL's MinProtocol uses. */
    public String opensslName() {
        return this == SSLv3 ? "SSLv3" : jsonName;
    }

    public static TlsVersion ofCode(int code) {
        for (TlsVersion v : values()) {
            if (v.code == code) {
                return v;
            }
        }
        return null;
    }
}
