package io.timeshift.host.cluster;

import io.timeshift.host.env.HostPaths;
import io.timeshift.pve.api.error.PveAuthException;
import io.timeshift.pve.api.error.PvePermissionException;
import io.timeshift.pve.api.error.PveTlsException;
import io.timeshift.pve.api.error.TransportFailure;
import io.timeshift.pve.api.transport.ApiToken;
import io.timeshift.pve.api.transport.Fingerprint;
import io.timeshift.pve.api.transport.HttpsTransport;
import io.timeshift.pve.api.transport.Method;
import io.timeshift.pve.api.transport.PveResponse;
import io.timeshift.pve.api.transport.PveTransport;
import io.timeshift.pve.api.transport.TlsTrust;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Which transport the tool uses on a node: the service account's API token when {@code time-shift
 * api-setup} has stored it ({@code <pve>/priv/time-shift-token}, mode 0600), else {@code pvesh} as
 * root. The token is least privilege and avoids a pvesh process per call (about 0.3-0.5 s each);
 * pvesh always works as root.
 *
 * <ul>
 *   <li>{@link #forConfig}: reads and {@code VM.Config.Options} writes ({@code startdate}, tags, Notes):
 *       the token, with a fallback to pvesh when the token cannot do the call: for good after a TLS or
 *       authentication failure or an unreachable local API; for one write refused for a missing privilege
 *       (refused before anything ran, so repeating it as root is safe). A read refused for a missing
 *       privilege fails naming it, so a role that is too small shows instead of costing a pvesh process
 *       per call.</li>
 *   <li>{@link #forRootOnly}: {@code hookscript} and {@code args}, which only the literal user
 *       {@code root@pam} may set (qemu-server {@code $check_vm_modify_config_perm}; a token, even
 *       {@code root@pam!x}, is not root@pam): always pvesh.</li>
 * </ul>
 * The local API is {@code https://localhost:8006}; its certificate is pinned to the one pveproxy
 * serves ({@code <pve>/local/pveproxy-ssl.pem} if present, else {@code <pve>/local/pve-ssl.pem}), so
 * ACME certificates work too; without either, the cluster CA {@code <pve>/pve-root-ca.pem}.
 */
public final class PreferredTransport {
    private static final Logger LOG = LoggerFactory.getLogger(PreferredTransport.class);
    /** File name under {@code <pve>/priv/}. */
    public static final String TOKEN_FILE_NAME = HostPaths.TOKEN_FILE_NAME;
    public static final String LOCAL_API = "https://localhost:8006";

    private PreferredTransport() {
    }

    /** Which transport, and why (for doctor and {@code --verbose}). */
    public enum Kind { TOKEN, PVESH }

    public record Choice(Kind kind, String why) {
    }

    /** {@code <pve>/priv/time-shift-token}. */
    public static Path tokenFile(HostPaths paths) {
        return paths.tokenFile();
    }

    /** The token when its file exists and is mode 0600 (root-only on pmxcfs), else pvesh. */
    public static Choice choose(HostPaths paths) {
        Path f = tokenFile(paths);
        try {
            if (!Files.isRegularFile(f)) {
                return new Choice(Kind.PVESH, "no API token (" + f + " does not exist; create it with time-shift api-setup)");
            }
            if (!SecretFile.isOwnerOnly(f)) {
                return new Choice(Kind.PVESH, "API token file " + f + " is not mode 0600 (fix: chmod 600 " + f + ")");
            }
            if (!Files.isReadable(f)) {
                return new Choice(Kind.PVESH, "API token file " + f + " is not readable by this user (run as root)");
            }
            return new Choice(Kind.TOKEN, "API token from " + f);
        } catch (IOException | UnsupportedOperationException e) {
            return new Choice(Kind.PVESH, "cannot check " + f + ": " + e.getMessage());
        }
    }

    /**
     * For reads and {@code VM.Config.Options} writes: the token (falling back to pvesh per call, see the
     * class comment), or pvesh when there is no usable token.
     *
     * @param localApi {@code https://localhost:8006} in production
     * @param pvesh    made on first use only
     */
    public static PveTransport forConfig(HostPaths paths, String localApi, Supplier<PveTransport> pvesh) {
        Choice c = choose(paths);
        if (c.kind() == Kind.PVESH) {
            LOG.debug("using pvesh: {}", c.why());
            return new Lazy(pvesh);
        }
        HttpsTransport token = HttpsTransport.builder()
                .endpoint(localApi)
                .credentials(ApiToken.fromFile(tokenFile(paths)))
                .trust(localTrust(paths))
                .build();
        return new TokenFirst(token, new Lazy(pvesh));
    }

    /** For {@code hookscript}/{@code args}: pvesh as root, always. */
    public static PveTransport forRootOnly(Supplier<PveTransport> pvesh) {
        return new Lazy(pvesh);
    }

    /** Pin the certificate pveproxy serves, else trust the cluster CA, else the system store. */
    static TlsTrust localTrust(HostPaths paths) {
        Path local = paths.pveDir().resolve("local");
        for (Path pem : new Path[] {local.resolve("pveproxy-ssl.pem"), local.resolve("pve-ssl.pem")}) {
            if (Files.isReadable(pem)) {
                try (InputStream in = Files.newInputStream(pem)) {
                    X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
                    return TlsTrust.pinnedSha256(Fingerprint.of(cert).toString());
                } catch (IOException | CertificateException | ClassCastException e) {
                    LOG.debug("cannot read {}: {}", pem, e.getMessage());
                }
            }
        }
        Path ca = paths.pveDir().resolve("pve-root-ca.pem");
        return Files.isReadable(ca) ? TlsTrust.caFile(ca) : TlsTrust.system();
    }

    /** pvesh, made on first use (so a command that never calls it works off-node). */
    static final class Lazy implements PveTransport {
        private final Supplier<PveTransport> factory;
        private PveTransport delegate; // guarded by this

        Lazy(Supplier<PveTransport> factory) {
            this.factory = factory;
        }

        synchronized PveTransport get() {
            if (delegate == null) {
                delegate = factory.get();
            }
            return delegate;
        }

        @Override
        public PveResponse call(Method method, String path, Map<String, ?> params) {
            return get().call(method, path, params);
        }

        @Override
        public String endpoint() {
            return "local";
        }

        @Override
        public synchronized void close() {
            if (delegate != null) {
                delegate.close();
            }
        }

        @Override
        public String toString() {
            return delegate == null ? "pvesh (not started)" : delegate.toString();
        }
    }

    /**
     * The token first; pvesh when the token cannot do it. TLS and authentication failures and an
     * unreachable local API switch to pvesh for good; a write refused for a missing privilege is done
     * as root for that call only; a read refused so is reported as it is.
     * Never repeats a call whose outcome is unknown (a timeout or reset after sending).
     */
    static final class TokenFirst implements PveTransport {
        private final PveTransport token;
        private final Lazy pvesh;
        private volatile boolean tokenUnusable;

        TokenFirst(PveTransport token, Lazy pvesh) {
            this.token = token;
            this.pvesh = pvesh;
        }

        @Override
        public PveResponse call(Method method, String path, Map<String, ?> params) {
            if (tokenUnusable) {
                return pvesh.call(method, path, params);
            }
            RuntimeException refused;
            try {
                return token.call(method, path, params);
            } catch (PveTlsException | PveAuthException e) {
                LOG.warn("API token not usable ({}); using pvesh as root from now on", e.getMessage());
                tokenUnusable = true;
                refused = e;
            } catch (PvePermissionException e) {
                if (method.isIdempotentRead()) {
                    // a read the role does not cover: name the missing privilege rather than hide a role that
                    // is too small behind a pvesh process (~0.4 s) per call
                    throw e;
                }
                LOG.debug("{} {}: the token lacks a privilege ({}); doing it as root through pvesh", method, path,
                        e.getMessage());
                refused = e;
            } catch (RuntimeException e) {
                if (!(e instanceof TransportFailure f) || f.requestMayHaveBeenSent()) {
                    throw e; // includes timeouts after sending: the outcome is unknown, never repeat
                }
                LOG.debug("local API not reachable ({}); using pvesh", e.getMessage());
                tokenUnusable = true;
                refused = e;
            }
            PveTransport root;
            try {
                root = pvesh.get();
            } catch (RuntimeException noPvesh) {
                refused.addSuppressed(noPvesh);
                throw refused; // the token's failure is the one to show
            }
            return root.call(method, path, params);
        }

        @Override
        public String endpoint() {
            return token.endpoint();
        }

        @Override
        public void close() {
            token.close();
            pvesh.close();
        }

        @Override
        public String toString() {
            return "token " + token + ", else " + pvesh;
        }
    }
}
