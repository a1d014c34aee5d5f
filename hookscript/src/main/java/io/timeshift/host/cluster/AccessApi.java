package io.timeshift.host.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.ApiPath;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.json.PveJson;
import io.timeshift.pve.api.transport.Method;
import io.timeshift.pve.api.transport.Secret;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The {@code /access} endpoints api-setup needs (pve-access-control {@code API2/User.pm},
 * {@code Role.pm}, {@code ACL.pm}). Calls go through the client's transport and retry presets
 * ({@link PveClient#resilience()}), so writes are never re-sent when their outcome is unknown.
 * Paths are built with {@link ApiPath}.
 *
 * <p>Candidate for {@code pve-api} ({@code PveClient.access()}); it lives here until a second user
 * needs it.
 */
final class AccessApi {
    private final PveClient client;

    AccessApi(PveClient client) {
        this.client = client;
    }

    /** A user with its tokens ({@code GET /access/users?full=1}). */
    record User(String userid, Map<String, Token> tokens) {
    }

    /** @param privsep whether the token is privilege-separated (PVE's default is 1) */
    record Token(String tokenid, boolean privsep) {
    }

    /** @param privs sorted */
    record Role(String roleid, TreeSet<String> privs) {
    }

    record Acl(String path, String type, String ugid, String roleid, boolean propagate) {
    }

    Optional<User> user(String userid) {
        ApiPath p = ApiPath.of("access", "users");
        String op = "GET " + p;
        for (JsonNode u : PveJson.array(get(p, Map.of("full", "1")), op)) {
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

    Optional<Role> role(String roleid) {
        ApiPath p = ApiPath.of("access", "roles");
        String op = "GET " + p;
        for (JsonNode r : PveJson.array(get(p, Map.of()), op)) {
            if (roleid.equals(PveJson.text(r, "roleid"))) {
                return Optional.of(new Role(roleid, new TreeSet<>(PveJson.splitList(PveJson.text(r, "privs")))));
            }
        }
        return Optional.empty();
    }

    List<Acl> acl() {
        ApiPath p = ApiPath.of("access", "acl");
        String op = "GET " + p;
        List<Acl> out = new ArrayList<>();
        for (JsonNode a : PveJson.array(get(p, Map.of()), op)) {
            out.add(new Acl(PveJson.text(a, "path"), PveJson.text(a, "type"), PveJson.text(a, "ugid"),
                    PveJson.text(a, "roleid"), PveJson.bool(a, "propagate", true)));
        }
        return out;
    }

    void createUser(String userid, String comment) {
        call(Method.POST, ApiPath.of("access", "users"), params("userid", userid, "comment", comment));
    }

    void createRole(String roleid, TreeSet<String> privs) {
        call(Method.POST, ApiPath.of("access", "roles"), params("roleid", roleid, "privs", String.join(",", privs)));
    }

    /** Replaces the role's privileges (no {@code append}). */
    void setRolePrivs(String roleid, TreeSet<String> privs) {
        call(Method.PUT, ApiPath.of("access", "roles").child(roleid), params("privs", String.join(",", privs)));
    }

    void grant(String path, String userid, String roleid) {
        call(Method.PUT, ApiPath.of("access", "acl"), params("path", path, "users", userid, "roles", roleid, "propagate", "1"));
    }

    /** {@code POST /access/users/{user}/token/{id}} with {@code privsep=0}; returns the secret ({@code value}). */
    Secret createToken(String userid, String tokenid, String comment) {
        ApiPath p = tokenPath(userid, tokenid);
        JsonNode data = call(Method.POST, p, params("privsep", "0", "comment", comment));
        String op = "POST " + p;
        return Secret.of(PveJson.requireText(PveJson.object(data, op), "value", op));
    }

    void setTokenPrivsep(String userid, String tokenid, boolean privsep) {
        call(Method.PUT, tokenPath(userid, tokenid), params("privsep", privsep ? "1" : "0"));
    }

    void deleteToken(String userid, String tokenid) {
        call(Method.DELETE, tokenPath(userid, tokenid), Map.of());
    }

    private static ApiPath tokenPath(String userid, String tokenid) {
        return ApiPath.of("access", "users").child(userid).child("token").child(tokenid);
    }

    private JsonNode get(ApiPath p, Map<String, String> q) {
        return call(Method.GET, p, q);
    }

    private JsonNode call(Method m, ApiPath p, Map<String, String> params) {
        return client.resilience().call(client.transport(), m, p.toString(), params).data();
    }

    private static Map<String, String> params(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
