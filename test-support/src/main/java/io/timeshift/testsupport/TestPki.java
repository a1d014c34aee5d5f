package io.timeshift.testsupport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Certificates made by the openssl CLI for the tests: {@code openssl ca} is used because OpenSSL
 * 3.0's {@code req -x509} cannot set a start date, and expired / not-yet-valid certificates need
 * one. Keys are cached per size. The expected report values (serial, SHA-256, subject) are read
 * back with {@code openssl x509}, independently of the code under test.
 */
public final class TestPki {
    private static final String CONFIG = """
            [ca]
            default_ca = CA_default
            [CA_default]
            dir = .
            database = $dir/index.txt
            new_certs_dir = $dir/newcerts
            serial = $dir/serial
            default_md = sha256
            policy = policy_any
            unique_subject = no
            copy_extensions = none
            email_in_dn = no
            [policy_any]
            commonName = supplied
            organizationName = optional
            [v3_ca]
            basicConstraints = critical,CA:true
            keyUsage = critical,keyCertSign,cRLSign
            subjectKeyIdentifier = hash
            [v3_leaf]
            basicConstraints = CA:false
            subjectAltName = IP:127.0.0.1,DNS:localhost
            [v3_leaf_dns]
            basicConstraints = CA:false
            keyUsage = critical,digitalSignature,keyEncipherment
            extendedKeyUsage = serverAuth
            subjectAltName = DNS:localhost
            """;

    private final Path dir;
    private final Map<Integer, Path> keys = new HashMap<>();
    private int counter;

    private TestPki(Path dir) {
        this.dir = dir;
    }

    public static TestPki in(Path dir) {
        Openssl.require();
        try {
            Files.createDirectories(dir.resolve("newcerts"));
            Files.writeString(dir.resolve("index.txt"), "");
            Files.writeString(dir.resolve("serial"), "1000\n");
            Files.writeString(dir.resolve("ca.cnf"), CONFIG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TestPki(dir);
    }

    public Path dir() {
        return dir;
    }

    /** A certificate file plus the values {@code openssl x509} reads from it. */
    public record Cert(Path pem, Path key, String subject, String serialHex, String sha256Hex) {
        public X509Certificate x509() {
            try {
                return (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem)));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    public synchronized Path rsaKey(int bits) {
        return keys.computeIfAbsent(bits, b -> {
            Path k = dir.resolve("rsa" + b + ".key");
            Openssl.run(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:" + b, "-out", k.toString());
            return k;
        });
    }

    /** Self-signed; dates as {@code yyyyMMddHHmmssZ}; {@code md} sha256, sha1, md5. */
    public Cert selfSigned(String cn, int bits, String start, String end, String md) {
        return sign(cn, rsaKey(bits), null, start, end, md, false);
    }

    public Cert ca(String cn, int bits, String start, String end, Cert issuer) {
        return sign(cn, rsaKey(bits), issuer, start, end, "sha256", true);
    }

    public Cert leaf(String cn, int bits, String start, String end, String md, Cert issuer) {
        return sign(cn, rsaKey(bits), issuer, start, end, md, false);
    }

    /** A server certificate whose only SAN is {@code DNS:localhost} (so {@code 127.0.0.1} fails host name verification). */
    public Cert localhostOnlyLeaf(String cn, int bits, String start, String end, Cert issuer) {
        return sign(cn, rsaKey(bits), issuer, start, end, "sha256", false, "v3_leaf_dns");
    }

    private Cert sign(String cn, Path key, Cert issuer, String start, String end, String md, boolean ca) {
        return sign(cn, key, issuer, start, end, md, ca, ca ? "v3_ca" : "v3_leaf");
    }

    private synchronized Cert sign(String cn, Path key, Cert issuer, String start, String end, String md, boolean ca, String ext) {
        String name = cn.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "-") + "-" + (++counter);
        Path csr = dir.resolve(name + ".csr");
        Path pem = dir.resolve(name + ".pem");
        Openssl.run(dir, "req", "-new", "-key", key.toString(), "-subj", "/O=Time Shift Test/CN=" + cn, "-out", csr.toString());
        List<String> args = new java.util.ArrayList<>(List.of("ca", "-batch", "-config", "ca.cnf", "-notext",
                "-in", csr.toString(), "-out", pem.toString(), "-startdate", start, "-enddate", end, "-md", md,
                "-extensions", ext));
        if (issuer == null) {
            args.addAll(List.of("-selfsign", "-keyfile", key.toString()));
        } else {
            args.addAll(List.of("-cert", issuer.pem().toString(), "-keyfile", issuer.key().toString()));
        }
        Openssl.run(dir, args.toArray(String[]::new));
        String serial = Openssl.run(dir, "x509", "-in", pem.toString(), "-noout", "-serial").trim();
        String fp = Openssl.run(dir, "x509", "-in", pem.toString(), "-noout", "-fingerprint", "-sha256").trim();
        String subject = Openssl.run(dir, "x509", "-in", pem.toString(), "-noout", "-subject", "-nameopt", "RFC2253").trim();
        return new Cert(pem, key, subject.substring(subject.indexOf('=') + 1),
                serial.substring(serial.indexOf('=') + 1).toLowerCase(Locale.ROOT).replaceFirst("^0+(?=.)", ""),
                fp.substring(fp.indexOf('=') + 1).replace(":", "").toLowerCase(Locale.ROOT));
    }

    /** Concatenates PEM files (a chain file for {@code -cert_chain}). */
    public Path bundle(String name, Cert... certs) {
        StringBuilder s = new StringBuilder();
        for (Cert c : certs) {
            try {
                s.append(Files.readString(c.pem()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Path p = dir.resolve(name + ".pem");
        try {
            Files.writeString(p, s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** A PKCS12 key store in memory for JSSE servers: the key of {@code leaf} and the chain. */
    public static KeyStore keyStore(Path keyPem, List<Path> chainPems, char[] password) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            java.security.cert.Certificate[] chain = new java.security.cert.Certificate[chainPems.size()];
            for (int i = 0; i < chain.length; i++) {
                chain[i] = cf.generateCertificate(new ByteArrayInputStream(Files.readAllBytes(chainPems.get(i))));
            }
            ks.setKeyEntry("server", readKey(keyPem), password, chain);
            return ks;
        } catch (Exception e) {
            throw new AssertionError("key store from " + keyPem, e);
        }
    }

    public static PrivateKey readKey(Path pem) throws Exception {
        String text = Files.readString(pem);
        String b64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    }
}
