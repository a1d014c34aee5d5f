package io.timeshift.pve.api.transport;

import io.timeshift.common.error.InvalidInputException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A SHA-256 certificate fingerprint, as {@code openssl x509 -noout -fingerprint -sha256} and
 * {@code pvenode cert info} print it. Parsing accepts hex with or without colons, in any case.
 */
public final class Fingerprint {
    private final byte[] sha256;

    private Fingerprint(byte[] sha256) {
        this.sha256 = sha256.clone();
    }

    /**
     * Parse 64 hex digits, colons optional, case-insensitive; a leading {@code sha256:} or
     * {@code SHA256 Fingerprint=} (openssl's prefix) is ignored.
     */
    public static Fingerprint parse(String text) {
        if (text == null) {
            throw new InvalidInputException("--fingerprint is missing; expected a SHA-256 fingerprint (64 hex digits, colons optional)");
        }
        String s = text.strip();
        int eq = s.lastIndexOf('=');
        if (s.toLowerCase(Locale.ROOT).startsWith("sha256") && eq >= 0) {
            s = s.substring(eq + 1);
        } else if (s.toLowerCase(Locale.ROOT).startsWith("sha256:")) {
            s = s.substring(7);
        }
        String hex = s.replace(":", "").strip();
        if (!hex.matches("[0-9A-Fa-f]{64}")) {
            throw new InvalidInputException("--fingerprint '" + text + "' is not a SHA-256 fingerprint; expected 64 hex digits,"
                    + " colons optional, e.g. AB:CD:...:EF (openssl x509 -noout -fingerprint -sha256 -in /etc/pve/local/pve-ssl.pem)");
        }
        return new Fingerprint(HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT)));
    }

    /** The fingerprint of a certificate's DER encoding. */
    public static Fingerprint of(X509Certificate cert) {
        try {
            return new Fingerprint(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint certificate", e);
        }
    }

    /** Constant-time comparison. */
    public boolean matches(Fingerprint other) {
        return MessageDigest.isEqual(sha256, other.sha256);
    }

    /** Upper-case hex with colons, as openssl prints it. */
    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha256);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fingerprint f && matches(f);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(sha256);
    }
}
