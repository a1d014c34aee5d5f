package io.timeshift.pve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.json.PveJson;
import io.timeshift.pve.api.transport.Method;
import io.timeshift.pve.api.transport.Secret;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * {@code /access} (pve-access-control {@code API2/User.pm}, {@code Role.pm}, {@code ACL.pm},
 * {@code AccessControl.pm}). Obtain with {@link PveClient#access()}. Like every level, its paths are
 * built with {@link ApiPath} and its calls run under the client's retry presets, so a write is never
 * sent twice when its outcome is unknown.
 */
public final class AccessApi {
    private final PveClient client;
    private final ApiPath path;

    AccessApi(PveClient client, ApiPath path) {
        this.client = Objects.requireNonNull(client);
        this.path = path;
    }

    /** A user with its API tokens ({@code GET /access/users?full=1}). */
    public record User(String userid, Map<String, Token> tokens) {
        public User {
            tokens = Collections.unmodifiableMap(new LinkedHashMap<>(tokens));
        }
    }

    /** @param privsep whether the token is privilege-separated (PVE's default is 1) */
    public record Token(String tokenid, boolean privsep) {
    }

    /** @param privs sorted */
    public record Role(String roleid, SortedSet<String> privs) {
        public Role {
            privs = Collections.unmodifiableSortedSet(new TreeSet<>(privs));
        }
    }

    /** One entry of {@code GET /access/acl}; {@code type} is {@code user}, {@code group} or {@code token}. */
    public record Acl(String path, String type, String ugid, String roleid, boolean propagate) {
    }

    /** {@code GET /access/users?full=1}, the one user; empty when it does not exist. */
    public Optional<User> user(String userid) {
        ApiPath p = path.child("users");
        String op = PveClient.op(Method.GET, p);
        for (JsonNode u : PveJson.array(client.get(p, Map.of("full", "1")), op)) {
            if (userid.equals(PveJson.text(u, "userid"))) {
                Map<String, Token> tokens = new LinkedHashMap<>();
                JsonNode ts = u.get("tokens");
                if (ts != null && ts.isArray()) {
                    for (JsonNode t : ts) {
                        String id = PveJson.requireText(t, "tokenid", op);
                        tokens.put(id, new Token(id, PveJson.bool(t, "privsep", true)));
                    }
                }
                return Optional.of(new User(userid, tokens));
            }
        }
        return Optional.empty();
    }

    /** {@code GET /access/roles}, the one role; empty when it does not exist. */
    public Optional<Role> role(String roleid) {
        ApiPath p = path.child("roles");
        String op = PveClient.op(Method.GET, p);
        for (JsonNode r : PveJson.array(client.get(p, Map.of()), op)) {
            if (roleid.equals(PveJson.text(r, "roleid"))) {
                return Optional.of(new Role(roleid, new TreeSet<>(PveJson.splitList(PveJson.text(r, "privs")))));
            }
        }
        return Optional.empty();
    }

    /** {@code GET /access/acl}. */
    public List<Acl> acl() {
        ApiPath p = path.child("acl");
        String op = PveClient.op(Method.GET, p);
        List<Acl> out = new ArrayList<>();
        for (JsonNode a : PveJson.array(client.get(p, Map.of()), op)) {
            out.add(new Acl(PveJson.text(a, "path"), PveJson.text(a, "type"), PveJson.text(a, "ugid"),
                    PveJson.text(a, "roleid"), PveJson.bool(a, "propagate", true)));
        }
        return out;
    }

    /**
     * {@code GET /access/permissions?path=<aclPath>}: the calling user's (or token's) effective
     * privileges on that path, each with its propagate flag. PVE answers {@code {"<path>":{"Priv":1,...}}}
     * or {@code {}} when nothing is granted there (pve-access-control {@code API2/AccessControl.pm}
     * {@code permissions}).
     *
     * @return privilege name → propagate; empty when nothing is granted
     */
    public Map<String, Boolean> permissions(String aclPath) {
        if (aclPath == null || !aclPath.startsWith("/")) {
            throw new IllegalArgumentException("ACL path must start with '/': " + aclPath);
        }
        ApiPath p = path.child("permissions");
        String op = PveClient.op(Method.GET, p);
        JsonNode data = client.get(p, Map.of("path", aclPath));
        Map<String, Boolean> out = new LinkedHashMap<>();
        JsonNode privs = data == null ? null : data.get(aclPath);
        if (privs == null || !privs.isObject()) {
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = privs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isNull()) {
                out.put(e.getKey(), PveJson.bool(privs, e.getKey(), false));
            }
        }
        return out;
    }

    /** {@code POST /access/users} with {@code userid} and {@code comment}. */
    public void createUser(String userid, String comment) {
        client.post(path.child("users"), params("userid", userid, "comment", comment));
    }

    /** {@code POST /access/roles} with {@code roleid} and {@code privs} (comma-separated). */
    public void createRole(String roleid, SortedSet<String> privs) {
        client.post(path.child("roles"), params("roleid", roleid, "privs", String.join(",", privs)));
    }

    /** {@code PUT /access/roles/{roleid}}: replaces the role's privileges (no {@code append}). */
    public void setRolePrivs(String roleid, SortedSet<String> privs) {
        client.put(path.child("roles").child(roleid), params("privs", String.join(",", privs)));
    }

    /** {@code PUT /access/acl}: grants {@code roleid} to {@code userid} on {@code aclPath}, propagated. */
    public void grant(String aclPath, String userid, String roleid) {
        client.put(path.child("acl"), params("path", aclPath, "users", userid, "roles", roleid, "propagate", "1"));
    }

    /**
     * {@code POST /access/users/{userid}/token/{tokenid}} with {@code privsep=0}; returns the secret
     * ({@code value}), which PVE shows only this once.
     */
    public Secret createToken(String userid, String tokenid, String comment) {
        ApiPath p = tokenPath(userid, tokenid);
        String op = PveClient.op(Method.POST, p);
        JsonNode data = client.post(p, params("privsep", "0", "comment", comment));
        return Secret.of(PveJson.requireText(PveJson.object(data, op), "value", op));
    }

    /** {@code PUT /access/users/{userid}/token/{tokenid}} with {@code privsep}. */
    public void setTokenPrivsep(String userid, String tokenid, boolean privsep) {
        client.put(tokenPath(userid, tokenid), params("privsep", privsep ? "1" : "0"));
    }

    /** {@code DELETE /access/users/{userid}/token/{tokenid}}. */
    public void deleteToken(String userid, String tokenid) {
        client.delete(tokenPath(userid, tokenid), Map.of());
    }

    private ApiPath tokenPath(String userid, String tokenid) {
        return path.child("users").child(userid).child("token").child(tokenid);
    }

    private static Map<String, String> params(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
