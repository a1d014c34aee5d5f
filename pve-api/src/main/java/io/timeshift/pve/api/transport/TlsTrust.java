package io.timeshift.pve.api.transport;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Which server certificates the HTTPS transport accepts. Always verified; there is no trust-all
 * value here (see {@code HttpsTransport.Builder#insecureSkipVerify}).
 */
public sealed interface TlsTrust {

    /** The JVM's default trust store (cacerts), with host name verification. The default. */
    static TlsTrust system() {
        return SystemStore.INSTANCE;
    }

    /**
     * Trust the CA certificate(s) in a PEM file, e.g. the cluster CA {@code /etc/pve/pve-root-ca.pem},
     * with host name verification (PVE's node certificates carry the node name and IPs as SANs).
     */
    static TlsTrust caFile(Path pem) {
        return new CaFile(pem);
    }

    /**
     * Accept exactly the leaf certificate with this SHA-256 fingerprint (hex, colons optional). The
     * host name is not checked: the pin already names one certificate, and PVE node certificates
     * are often reached by an address their SANs do not list.
     */
    static TlsTrust pinnedSha256(String fingerprint) {
        return new Pinned(Fingerprint.parse(fingerprint));
    }

    /** System trust store. */
    enum SystemStore implements TlsTrust {
        INSTANCE;

        @Override
        public String toString() {
            return "system trust store";
        }
    }

    /** CA PEM file. */
    record CaFile(Path pem) implements TlsTrust {
        public CaFile {
            Objects.requireNonNull(pem, "pem");
        }

        @Override
        public String toString() {
            return "CA file " + pem;
        }
    }

    /** Pinned leaf fingerprint. */
    record Pinned(Fingerprint fingerprint) implements TlsTrust {
        public Pinned {
            Objects.requireNonNull(fingerprint, "fingerprint");
        }

        @Override
        public String toString() {
            return "pinned SHA-256 " + fingerprint;
        }
    }
}
