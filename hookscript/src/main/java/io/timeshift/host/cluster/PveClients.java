package io.timeshift.host.cluster;

import io.timeshift.host.env.HostPaths;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.retry.RetryConfig;
import io.timeshift.pve.api.transport.ApiToken;
import io.timeshift.pve.api.transport.HttpsTransport;
import io.timeshift.pve.api.transport.PasswordLogin;
import io.timeshift.pve.api.transport.PveCredentials;
import io.timeshift.pve.api.transport.PveTransport;
import io.timeshift.pve.api.transport.PveshTransport;
import io.timeshift.pve.api.transport.TlsTrust;
import io.timeshift.common.error.InvalidInputException;

import java.io.Console;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Makes {@link PveClient}s for commands: {@link #open(RemoteSpec)} for read commands (HTTPS to
 * {@code --remote}, or this node through {@link PreferredTransport}), {@link #asRoot()} for what only
 * root@pam may do. Nothing is started until a client is asked for, so commands that never talk to
 * Proxmox work anywhere. Tests construct one with their own pvesh stand-in and local API address.
 * Thread-safe; every client returned must be closed by the caller.
 */
public final class PveClients {
    private final HostPaths paths;
    private final Map<String, String> env;
    private final Supplier<PveTransport> pvesh;
    private final String localApi;
    private final RetryConfig retry;

    /**
     * @param pvesh    makes the root transport (production: {@code pvesh} on {@code PATH})
     * @param localApi this node's API for the token ({@value PreferredTransport#LOCAL_API} in production)
     * @param retry    retry presets for every client made here
     */
    public PveClients(HostPaths paths, Map<String, String> env, Supplier<PveTransport> pvesh, String localApi,
                      RetryConfig retry) {
        this.paths = Objects.requireNonNull(paths, "paths");
        this.env = Map.copyOf(env);
        this.pvesh = Objects.requireNonNull(pvesh, "pvesh");
        this.localApi = Objects.requireNonNull(localApi, "localApi");
        this.retry = Objects.requireNonNull(retry, "retry");
    }

    /** Production wiring: pvesh from {@code PATH}, token at {@code https://localhost:8006}, default retries. */
    public static PveClients fromEnvironment(HostPaths paths, Map<String, String> env) {
        String path = env.getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        return new PveClients(paths, env, () -> PveshTransport.builder().searchPath(path).build(),
                PreferredTransport.LOCAL_API, RetryConfig.defaults());
    }

    public RetryConfig retry() {
        return retry;
    }

    /** The same wiring with other retry settings (e.g. a fan-out that must not trip the breaker). */
    public PveClients withRetry(RetryConfig other) {
        return new PveClients(paths, env, pvesh, localApi, other);
    }

    /**
     * The client for a read command: HTTPS to {@code spec.endpoint()} when {@code --remote} was given,
     * else this node through {@link PreferredTransport#forConfig} (token if set up, else pvesh).
     *
     * @throws InvalidInputException for bad option combinations or unreadable/unsafe secret files (exit 2)
     */
    public PveClient open(RemoteSpec spec) {
        spec.validate();
        if (!spec.remote()) {
            return preferred();
        }
        return PveClient.over(remoteTransport(spec), retry);
    }

    /** This node: the API token when stored by api-setup, else pvesh as root. */
    public PveClient preferred() {
        return PveClient.over(PreferredTransport.forConfig(paths, localApi, pvesh), retry);
    }

    /** pvesh as root@pam: for {@code hookscript}/{@code args} and for api-setup. */
    public PveClient asRoot() {
        return PveClient.over(PreferredTransport.forRootOnly(pvesh), retry);
    }

    HttpsTransport remoteTransport(RemoteSpec spec) {
        HttpsTransport.Builder b = HttpsTransport.builder().endpoint(spec.endpoint()).credentials(credentials(spec));
        if (spec.ca() != null) {
            b.trust(TlsTrust.caFile(spec.ca()));
        } else if (spec.fingerprint() != null) {
            b.trust(TlsTrust.pinnedSha256(spec.fingerprint()));
        }
        b.insecureSkipVerify(spec.insecure());
        return b.build();
    }

    private PveCredentials credentials(RemoteSpec spec) {
        if (spec.tokenFile() != null) {
            return ApiToken.fromFile(spec.tokenFile());
        }
        if (spec.user() != null) {
            return PasswordLogin.fromFile(spec.user(), spec.passwordFile(), totpPrompt(spec.user()));
        }
        String fromEnv = env.get(ApiToken.ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return ApiToken.fromEnvironment(env);
        }
        throw new InvalidInputException("--remote " + spec.endpoint() + " needs credentials: --token-file <file>"
                + " (user@realm!tokenid=secret, mode 0600), or --user <user@realm> --password-file <file>, or "
                + ApiToken.ENV + " in the environment");
    }

    /** Asks for a TOTP code on the terminal when PVE wants one; none without a terminal. */
    private static Supplier<String> totpPrompt(String user) {
        Console c = System.console();
        if (c == null) {
            return null;
        }
        return () -> {
            char[] code = c.readPassword("TOTP code for %s: ", user);
            return code == null ? "" : new String(code);
        };
    }

    @Override
    public String toString() {
        return "PveClients[" + paths.pveDir() + ", local API " + localApi + "]";
    }
}
