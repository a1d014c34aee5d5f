package io.timeshift.guest.tls;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.DSAPublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.HexFormat;
import javax.security.auth.x500.X500Principal;

/**
 * One certificate of a chain, as the contract's {@code probe --json} prints it. {@code serial} and
 * {@code sha256} (of the DER encoding) are lowercase hex without separators; dates are ISO-8601 UTC;
 * {@code keyBits} is the RSA modulus or DSA prime size, or the EC field size.
 */
@JsonPropertyOrder({"subject", "issuer", "serial", "notBefore", "notAfter", "keyAlgorithm", "keyBits",
        "signatureAlgorithm", "selfSigned", "sha256"})
public record CertificateInfo(
        String subject, String issuer, String serial, String notBefore, String notAfter, String keyAlgorithm,
        int keyBits, String signatureAlgorithm, boolean selfSigned, String sha256) {

    public static CertificateInfo of(X509Certificate c) {
        PublicKey key = c.getPublicKey();
        return new CertificateInfo(
                c.getSubjectX500Principal().getName(X500Principal.RFC2253),
                c.getIssuerX500Principal().getName(X500Principal.RFC2253),
                c.getSerialNumber().toString(16),
                c.getNotBefore().toInstant().toString(),
                c.getNotAfter().toInstant().toString(),
                key.getAlgorithm(),
                keyBits(key),
                c.getSigAlgName(),
                selfSigned(c),
                sha256(c));
    }

    public Instant notBeforeInstant() {
        return Instant.parse(notBefore);
    }

    public Instant notAfterInstant() {
        return Instant.parse(notAfter);
    }

    public boolean validAt(Instant t) {
        return !t.isBefore(notBeforeInstant()) && !t.isAfter(notAfterInstant());
    }

    static int keyBits(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            return rsa.getModulus().bitLength();
        }
        if (key instanceof ECPublicKey ec) {
            return ec.getParams().getCurve().getField().getFieldSize();
        }
        if (key instanceof DSAPublicKey dsa && dsa.getParams() != null) {
            return dsa.getParams().getP().bitLength();
        }
        return switch (key.getAlgorithm()) {
            case "Ed25519", "X25519" -> 255;
            case "Ed448", "X448" -> 448;
            default -> 0;
        };
    }

    /** Issuer equals subject and the certificate's own key verifies its signature. */
    static boolean selfSigned(X509Certificate c) {
        if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
            return false;
        }
        try {
            c.verify(c.getPublicKey());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    static String sha256(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("SHA-256 of a parsed certificate", e);
        }
    }
}
