package io.timeshift.guest.tls;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Builds a ClientHello record by hand, so that versions and suites the JDK refuses to offer
 * (jdk.tls.disabledAlgorithms is process-global and must not be changed) can still be asked for.
 * Only the server's answer is read; no handshake is ever completed with these bytes.
 *
 * <ul>
 *   <li>SSLv3: no extensions (some SSLv3 stacks choke on them), record version 3.0.</li>
 *   <li>TLS 1.0/1.1: SNI, supported_groups, ec_point_formats; no signature_algorithms (RFC 5246 §7.4.1.4.1).</li>
 *   <li>TLS 1.2: plus signature_algorithms including SHA-1.</li>
 *   <li>TLS 1.3: legacy_version 1.2, supported_versions [1.3], a random x25519 key share (the server
 *       only needs it to be 32 bytes; we never compute the secret).</li>
 *   <li>No TLS_FALLBACK_SCSV (it would make servers refuse the lower versions we ask for on purpose);
 *       hellos of 256-511 bytes are padded to 512 (RFC 7685; old F5 stacks hang on those sizes).</li>
 * </ul>
 */
final class ClientHello {
    private static final int[] GROUPS = {0x001D, 0x0017, 0x0018, 0x0019}; // x25519, P-256, P-384, P-521
    private static final int[] SIGALGS_12 = {
        0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201, 0x0402, 0x0202, 0x0101};
    private static final int[] SIGALGS_13 = {0x0403, 0x0503, 0x0603, 0x0807, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601};

    private ClientHello() {
    }

    static byte[] build(TlsVersion version, List<Integer> suites, String sniHost, Random random) {
        Buf body = new Buf();
        boolean tls13 = version == TlsVersion.TLSv1_3;
        body.u16(tls13 ? TlsVersion.TLSv1_2.code() : version.code());
        body.bytes(randomBytes(random, 32));
        if (tls13) {
            body.u8(32);
            body.bytes(randomBytes(random, 32)); // middlebox compatibility mode
        } else {
            body.u8(0);
        }
        body.u16(2 * suites.size() + (tls13 ? 0 : 2));
        for (int s : suites) {
            body.u16(s);
        }
        if (!tls13) {
            body.u16(CipherSuites.RENEGOTIATION_SCSV);
        }
        body.u8(1);
        body.u8(0); // compression: null only
        if (version != TlsVersion.SSLv3) {
            Buf ext = new Buf();
            if (sniHost != null) {
                byte[] host = sniHost.getBytes(StandardCharsets.US_ASCII);
                Buf sni = new Buf();
                sni.u16(host.length + 3);
                sni.u8(0);
                sni.u16(host.length);
                sni.bytes(host);
                ext.extension(0x0000, sni.toBytes());
            }
            Buf groups = new Buf();
            int[] gs = tls13 ? new int[] {0x001D, 0x0017, 0x0018} : GROUPS;
            groups.u16(2 * gs.length);
            for (int g : gs) {
                groups.u16(g);
            }
            ext.extension(0x000A, groups.toBytes());
            if (!tls13) {
                ext.extension(0x000B, new byte[] {1, 0});
            }
            if (version.compareTo(TlsVersion.TLSv1_2) >= 0) {
                int[] sa = tls13 ? SIGALGS_13 : SIGALGS_12;
                Buf algs = new Buf();
                algs.u16(2 * sa.length);
                for (int a : sa) {
                    algs.u16(a);
                }
                ext.extension(0x000D, algs.toBytes());
            }
            if (tls13) {
                ext.extension(0x002B, new byte[] {2, 0x03, 0x04});
                Buf share = new Buf();
                share.u16(36);
                share.u16(0x001D);
                share.u16(32);
                share.bytes(randomBytes(random, 32));
                ext.extension(0x0033, share.toBytes());
                ext.extension(0x002D, new byte[] {1, 1}); // psk_key_exchange_modes: psk_dhe_ke (OpenSSL wants it)
            }
            int helloLen = 4 + body.size() + 2 + ext.size();
            if (helloLen >= 256 && helloLen < 512) {
                int pad = 512 - helloLen - 4;
                ext.extension(0x0015, new byte[Math.max(pad, 0)]);
            }
            body.u16(ext.size());
            body.bytes(ext.toBytes());
        }
        byte[] b = body.toBytes();
        Buf record = new Buf();
        record.u8(22);
        record.u16(version == TlsVersion.SSLv3 ? 0x0300 : 0x0301);
        record.u16(b.length + 4);
        record.u8(1);
        record.u24(b.length);
        record.bytes(b);
        return record.toBytes();
    }

    /** An empty Certificate message followed by a Finished message the server cannot expect yet. See RawHandshake. */
    static byte[] emptyCertificateThenBogusFinished(int recordVersion) {
        Buf hs = new Buf();
        hs.u8(11);
        hs.u24(3);
        hs.u24(0);
        hs.u8(20);
        hs.u24(12);
        hs.bytes(new byte[12]);
        byte[] b = hs.toBytes();
        Buf record = new Buf();
        record.u8(22);
        record.u16(recordVersion);
        record.u16(b.length);
        record.bytes(b);
        return record.toBytes();
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static final class Buf extends ByteArrayOutputStream {
        void u8(int v) {
            write(v & 0xFF);
        }

        void u16(int v) {
            u8(v >>> 8);
            u8(v);
        }

        void u24(int v) {
            u8(v >>> 16);
            u16(v);
        }

        void bytes(byte[] b) {
            write(b, 0, b.length);
        }

        void extension(int type, byte[] data) {
            u16(type);
            u16(data.length);
            bytes(data);
        }

        byte[] toBytes() {
            return toByteArray();
        }
    }
}
