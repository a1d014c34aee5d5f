package io.timeshift.host.cluster;

import io.timeshift.host.env.HostPaths;
import io.timeshift.pve.api.AccessApi;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.error.TransportFailure;
import io.timeshift.pve.api.transport.Secret;
import io.timeshift.common.error.EnvironmentException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * {@code time-shift api-setup}: the least-privilege service account, created idempotently.
 * <ol>
 *   <li>user {@value #USER} (realm {@code pve}, no password: it only ever uses its token);</li>
 *   <li>role {@value #ROLE} with exactly {@link #privileges(int)} (created, or set back to exactly
 *       that list if someone changed it);</li>
 *   <li>ACL: the role for the user on {@value #ACL_PATH}, propagated;</li>
 *   <li>token {@value #TOKEN_ID} with {@code privsep=0} (it has the user's privileges; a
 *       privilege-separated token would have none without ACLs of its own), whose secret is stored
 *       root-only (0600) as {@code time-shift@pve!time-shift=<secret>} in
 *       {@code <pve>/priv/time-shift-token}, where {@link PreferredTransport} finds it.</li>
 * </ol>
 * {@link #plan} only reads; {@link #apply} does the steps of a plan. A second run finds everything
 * present and plans nothing. PVE shows a token secret once, at creation: if the token exists but the
 * file is gone, the plan says so and only {@code --rotate} (delete + create) can help. The secret is
 * never printed or logged.
 */
public final class ApiSetupService {
    public static final String USER = "time-shift@pve";
    public static final String ROLE = "TimeShift";
    public static final String TOKEN_ID = "time-shift";
    public static final String FULL_TOKEN_ID = USER + "!" + TOKEN_ID;
    public static final String ACL_PATH = "/";
    static final String COMMENT = "time-shift-proxmox service account (time-shift api-setup)";

    /** One privilege of the role and why the tool needs it (the README lists these). */
    public record Privilege(String name, String why) {
    }

    public enum Action { CREATE_USER, CREATE_ROLE, SET_ROLE_PRIVILEGES, GRANT_ACL, CREATE_TOKEN, ROTATE_TOKEN,
        CLEAR_TOKEN_PRIVSEP, FIX_TOKEN_FILE_MODE }

    /** One change, with a one-line description for the dry run. */
    public record Step(Action action, String description) {
    }

    /**
     * @param pveMajor   from {@code GET /version}
     * @param privileges what the role must hold on this version
     * @param steps      changes to make, in order; empty when everything is present
     * @param blockers   what stops the setup from being complete and no step can fix without
     *                   {@code --rotate} (one line each, with the fix)
     */
    public record Plan(int pveMajor, List<Privilege> privileges, List<Step> steps, List<String> blockers) {
        public boolean changesNothing() {
            return steps.isEmpty();
        }
    }

    private final PveClient client;
    private final AccessApi access;
    private final Path tokenFile;

    /** @param client must act as root@pam or an administrator (pvesh as root on a node) */
    public ApiSetupService(PveClient client, HostPaths paths) {
        this.client = client;
        this.access = client.access();
        this.tokenFile = paths.tokenFile();
    }

    public Path tokenFile() {
        return tokenFile;
    }

    /**
     * The role's privileges. PVE 9 replaced {@code VM.Monitor} by the finer {@code VM.GuestAgent.*}
     * (libpve-access-control 9.0.2); {@code agent/get-time} needs {@code VM.GuestAgent.Audit} there.
     */
    public static List<Privilege> privileges(int pveMajor) {
        List<Privilege> p = new ArrayList<>();
        p.add(new Privilege("Datastore.Audit", "list storages (GET /storage) and their content for the snippet check"
                + " (snippet volumes themselves are listed only with Datastore.Allocate, which is not granted: doctor"
                + " checks snippets as root)"));
        p.add(new Privilege("Sys.Audit", "see nodes in /nodes and /cluster/resources, node status"));
        p.add(new Privilege("VM.Audit", "read VM config and status (GET .../config, .../status/current) and see VMs in"
                + " /cluster/resources"));
        p.add(new Privilege("VM.Config.Options", "set startdate, tags and the Notes line (description): qemu-server's"
                + " general options"));
        if (pveMajor >= 9) {
            p.add(new Privilege("VM.GuestAgent.Audit", "read the guest clock (agent/get-time) on PVE 9+"));
        } else {
            p.add(new Privilege("VM.Monitor", "read the guest clock (agent/get-time) on PVE 8 and older"));
        }
        return p;
    }

    /** Reads the current state and plans the changes; changes nothing. */
    public Plan plan(boolean rotate) {
        int major = client.version().major();
        List<Privilege> privs = privileges(major);
        TreeSet<String> want = new TreeSet<>();
        privs.forEach(p -> want.add(p.name()));
        List<Step> steps = new ArrayList<>();
        List<String> blockers = new ArrayList<>();

        Optional<AccessApi.User> user = access.user(USER);
        if (user.isEmpty()) {
            steps.add(new Step(Action.CREATE_USER, "create user " + USER + " (realm pve, no password; it logs in with its token only)"));
        }
        Optional<AccessApi.Role> role = access.role(ROLE);
        if (role.isEmpty()) {
            steps.add(new Step(Action.CREATE_ROLE, "create role " + ROLE + " with " + String.join(", ", want)));
        } else if (!role.get().privs().equals(want)) {
            TreeSet<String> add = new TreeSet<>(want);
            add.removeAll(role.get().privs());
            TreeSet<String> remove = new TreeSet<>(role.get().privs());
            remove.removeAll(want);
            steps.add(new Step(Action.SET_ROLE_PRIVILEGES, "set role " + ROLE + " to exactly " + String.join(", ", want)
                    + (add.isEmpty() ? "" : " (adds " + String.join(", ", add) + ")")
                    + (remove.isEmpty() ? "" : " (removes " + String.join(", ", remove) + ")")));
        }
        boolean granted = user.isPresent() && role.isPresent() && access.acl().stream().anyMatch(a -> ACL_PATH.equals(a.path())
                && "user".equals(a.type()) && USER.equals(a.ugid()) && ROLE.equals(a.roleid()) && a.propagate());
        if (!granted) {
            steps.add(new Step(Action.GRANT_ACL, "grant role " + ROLE + " to " + USER + " on " + ACL_PATH + " (propagated)"));
        }
        AccessApi.Token token = user.map(u -> u.tokens().get(TOKEN_ID)).orElse(null);
        TokenFileState file = tokenFileState();
        if (token == null) {
            steps.add(new Step(Action.CREATE_TOKEN, "create API token " + FULL_TOKEN_ID + " (privsep=0) and store its"
                    + " secret in " + tokenFile + " (mode 0600)"));
        } else if (rotate) {
            steps.add(new Step(Action.ROTATE_TOKEN, "delete and recreate API token " + FULL_TOKEN_ID + " (the old secret"
                    + " stops working) and store the new secret in " + tokenFile + " (mode 0600)"));
        } else {
            if (token.privsep()) {
                steps.add(new Step(Action.CLEAR_TOKEN_PRIVSEP, "turn off privilege separation of " + FULL_TOKEN_ID
                        + " (privsep=0: the token gets the privileges of " + USER + ")"));
            }
            switch (file) {
                case MISSING -> blockers.add("API token " + FULL_TOKEN_ID + " exists but " + tokenFile + " is missing;"
                        + " Proxmox shows a token secret only once, when it is created, so it cannot be read back"
                        + " (fix: time-shift api-setup --rotate --yes deletes and recreates the token and stores the new secret)");
                case OTHER_TOKEN -> blockers.add(tokenFile + " holds a token other than " + FULL_TOKEN_ID
                        + " (fix: time-shift api-setup --rotate --yes)");
                case WRONG_MODE -> steps.add(new Step(Action.FIX_TOKEN_FILE_MODE, "chmod 600 " + tokenFile));
                case OK -> {
                }
            }
        }
        return new Plan(major, privs, steps, blockers);
    }

    enum TokenFileState { MISSING, OTHER_TOKEN, WRONG_MODE, OK }

    private TokenFileState tokenFileState() {
        if (!Files.isRegularFile(tokenFile)) {
            return TokenFileState.MISSING;
        }
        try {
            String s = Files.readString(tokenFile, StandardCharsets.UTF_8);
            if (!s.startsWith(FULL_TOKEN_ID + "=")) {
                return TokenFileState.OTHER_TOKEN;
            }
        } catch (IOException e) {
            throw new EnvironmentException("cannot read " + tokenFile + ": " + e.getMessage() + " (run as root)", e);
        }
        try {
            return SecretFile.isOwnerOnly(tokenFile) ? TokenFileState.OK : TokenFileState.WRONG_MODE;
        } catch (IOException | UnsupportedOperationException e) {
            return TokenFileState.WRONG_MODE;
        }
    }

    /**
     * Does the plan's steps in order; returns one line per step done. Stops at the first failure
     * (typed exception naming the step); steps before it stay done, and running api-setup again
     * continues from there.
     */
    public List<String> apply(Plan plan) {
        List<String> done = new ArrayList<>();
        TreeSet<String> privs = new TreeSet<>();
        plan.privileges().forEach(p -> privs.add(p.name()));
        for (Step s : plan.steps()) {
            switch (s.action()) {
                case CREATE_USER -> access.createUser(USER, COMMENT);
                case CREATE_ROLE -> access.createRole(ROLE, privs);
                case SET_ROLE_PRIVILEGES -> access.setRolePrivs(ROLE, privs);
                case GRANT_ACL -> access.grant(ACL_PATH, USER, ROLE);
                case CREATE_TOKEN -> storeNewToken();
                case ROTATE_TOKEN -> {
                    access.deleteToken(USER, TOKEN_ID);
                    storeNewToken();
                }
                case CLEAR_TOKEN_PRIVSEP -> access.setTokenPrivsep(USER, TOKEN_ID, false);
                case FIX_TOKEN_FILE_MODE -> SecretFile.chmod600(tokenFile);
            }
            done.add(s.description());
        }
        return done;
    }

    private void storeNewToken() {
        Secret secret;
        try {
            secret = access.createToken(USER, TOKEN_ID, COMMENT);
        } catch (RuntimeException e) {
            if (e instanceof TransportFailure f && f.requestMayHaveBeenSent()) {
                // never re-sent (outcome unknown); say how to find out and finish
                throw new EnvironmentException(e.getMessage() + "; the token may have been created without its secret"
                        + " reaching us: run time-shift api-setup again, and if it reports the token exists without"
                        + " its file, time-shift api-setup --rotate --yes", e);
            }
            throw e;
        }
        try {
            SecretFile.write(tokenFile, FULL_TOKEN_ID + "=" + secret.reveal() + "\n");
        } catch (EnvironmentException e) {
            throw new EnvironmentException("API token " + FULL_TOKEN_ID + " was created, but its secret could not be"
                    + " stored: " + e.getMessage() + "; the secret is not shown anywhere, so fix the cause and run"
                    + " time-shift api-setup --rotate --yes", e);
        }
    }
}
