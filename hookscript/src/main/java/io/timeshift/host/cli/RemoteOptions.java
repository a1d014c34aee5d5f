package io.timeshift.host.cli;

import io.timeshift.host.cluster.RemoteSpec;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The options that make a read command talk to a Proxmox API from any machine (contract "Remote/read
 * commands"). Use it with {@code @Mixin RemoteOptions remote;} in any command, then
 * {@code services.pve().open(remote.spec(err))} for the client: HTTPS to {@code --remote}, or this node
 * (API token from api-setup, else pvesh) without it. Secrets come from owner-only files (or
 * {@code TIME_SHIFT_PVE_TOKEN}), never from argv.
 */
public final class RemoteOptions {
    @Option(names = "--remote", paramLabel = "https://<node>:8006",
            description = "Talk to this Proxmox API instead of this node (read commands work from any machine).")
    String endpoint;

    @Option(names = "--token-file", paramLabel = "<file>",
            description = "API token file: user@realm!tokenid=secret, one line, mode 0600 (or set TIME_SHIFT_PVE_TOKEN).")
    Path tokenFile;

    @Option(names = "--user", paramLabel = "<user@realm>", description = "Log in with a password (ticket), e.g. root@pam.")
    String user;

    @Option(names = "--password-file", paramLabel = "<file>", description = "Password for --user, one line, mode 0600.")
    Path passwordFile;

    @Option(names = "--ca", paramLabel = "<pem>",
            description = "Trust this CA for the node's certificate, e.g. a copy of /etc/pve/pve-root-ca.pem.")
    Path ca;

    @Option(names = "--fingerprint", paramLabel = "<sha256>",
            description = "Pin the node certificate's SHA-256 fingerprint (hex, colons optional; pvenode cert info).")
    String fingerprint;

    @Option(names = "--insecure-skip-verify",
            description = "Accept ANY certificate (labs only: anyone on the path can read your token or password).")
    boolean insecure;

    /** The validated options; warns loudly on {@code err} when TLS verification is off. */
    public RemoteSpec spec(PrintWriter err) {
        RemoteSpec s = new RemoteSpec(endpoint, tokenFile, user, passwordFile, ca, fingerprint, insecure).validate();
        if (s.insecure()) {
            err.println("time-shift: WARNING: --insecure-skip-verify: TLS certificate NOT verified for " + s.endpoint()
                    + "; anyone on the network path can impersonate the node and capture the credentials."
                    + " Use --ca or --fingerprint instead.");
        }
        return s;
    }

    public boolean remote() {
        return endpoint != null;
    }
}
