package io.timeshift.host.cluster;

import io.timeshift.common.error.InvalidInputException;

import java.nio.file.Path;

/**
 * How to reach the Proxmox API from the command line: {@code --remote https://host:8006} with a
 * token file or a user and password file, and how to trust the node's certificate. A plain value,
 * validated once by {@link #validate()}; {@link PveClients#open(RemoteSpec)} turns it into a client.
 * {@link #LOCAL} (no {@code --remote}) means: this node, through {@link PreferredTransport}.
 *
 * @param endpoint     {@code https://host[:port]}, or null for this node
 * @param tokenFile    file holding {@code user@realm!tokenid=secret} (owner-only), or null
 * @param user         {@code user@realm} for a ticket login, or null
 * @param passwordFile file holding the password (owner-only), with {@code user}
 * @param ca           PEM file of the CA to trust (e.g. the cluster's {@code pve-root-ca.pem}), or null
 * @param fingerprint  SHA-256 fingerprint of the node certificate to pin, or null
 * @param insecure     accept any certificate (loud; labs only)
 */
public record RemoteSpec(String endpoint, Path tokenFile, String user, Path passwordFile, Path ca, String fingerprint,
                         boolean insecure) {

    /** No {@code --remote}: this node. */
    public static final RemoteSpec LOCAL = new RemoteSpec(null, null, null, null, null, null, false);

    public boolean remote() {
        return endpoint != null;
    }

    /**
     * Checks the combination of options (each message names the option and the valid form).
     *
     * @throws InvalidInputException (exit 2) for options that exclude each other or need another one
     */
    public RemoteSpec validate() {
        if (!remote()) {
            String stray = tokenFile != null ? "--token-file" : user != null ? "--user" : passwordFile != null
                    ? "--password-file" : ca != null ? "--ca" : fingerprint != null ? "--fingerprint"
                    : insecure ? "--insecure-skip-verify" : null;
            if (stray != null) {
                throw new InvalidInputException(stray + " needs --remote https://<node>:8006 (without --remote the"
                        + " command talks to this node as root)");
            }
            return this;
        }
        io.timeshift.host.env.HostPort.remote("--remote", endpoint);
        if (tokenFile != null && user != null) {
            throw new InvalidInputException("--token-file and --user exclude each other; give a token file"
                    + " (user@realm!tokenid=secret) or --user <user@realm> --password-file <file>");
        }
        if (user != null && passwordFile == null) {
            throw new InvalidInputException("--user " + user + " needs --password-file <file> (the password is never"
                    + " taken from the command line)");
        }
        if (passwordFile != null && user == null) {
            throw new InvalidInputException("--password-file needs --user <user@realm>, e.g. --user root@pam");
        }
        int trust = (ca != null ? 1 : 0) + (fingerprint != null ? 1 : 0) + (insecure ? 1 : 0);
        if (trust > 1) {
            throw new InvalidInputException("--ca, --fingerprint and --insecure-skip-verify exclude each other; choose one"
                    + " (e.g. --ca /etc/pve/pve-root-ca.pem)");
        }
        return this;
    }
}
