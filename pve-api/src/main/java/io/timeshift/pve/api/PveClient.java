package io.timeshift.pve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.json.PveJson;
import io.timeshift.pve.api.retry.Resilience;
import io.timeshift.pve.api.retry.RetryConfig;
import io.timeshift.pve.api.transport.Method;
import io.timeshift.pve.api.transport.PveResponse;
import io.timeshift.pve.api.transport.PveTransport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The typed Proxmox VE client. It mirrors the API tree:
 * {@code client.node("pve1").qemu(105).config()}; each level adds one path segment through
 * {@link ApiPath}, so no caller builds URLs. Every call goes through one {@link PveTransport}
 * (pvesh or HTTPS) under the retry presets of {@link Resilience}: GET is retried on transient
 * failures, writes only when the request certainly never left this machine.
 *
 * <p>Results are records; failures are the typed exceptions of {@code io.timeshift.pve.api.error}.
 * Thread-safe if the transport is (both are). Closing the client closes the transport.
 *
 * <p>Closed on purpose: neither the transport nor the retry machinery is reachable from outside, so
 * every call goes through a typed method, its path through {@link ApiPath}, and its retries through
 * the presets. An endpoint that is missing is added here (recipe below), not called around the client.
 *
 * <h2>Adding an endpoint</h2>
 * <ol>
 *   <li>Find the level it belongs to (cluster, node, qemu, storage) and add a method there that
 *       builds its path with {@code path.child("...")}.</li>
 *   <li>Call {@link #get}/{@link #post}/{@link #put}/{@link #delete}; map the result with a record's
 *       {@code from(JsonNode, op)} using {@link PveJson} helpers (never read PVE's loose types by hand).</li>
 *   <li>Add a recorded answer under {@code src/test/resources/pve/} and a WireMock test.</li>
 * </ol>
 * Common mistakes: concatenating paths; treating an unknown outcome of a write as a failure and
 * sending it again; reading {@code 0/1} booleans with {@code asBoolean()}.
 */
public final class PveClient implements AutoCloseable {
    private final PveTransport transport;
    private final Resilience resilience;

    private PveClient(PveTransport transport, RetryConfig retry) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.resilience = new Resilience(Objects.requireNonNull(retry, "retry"));
    }

    /** A client with {@link RetryConfig#defaults()}. */
    public static PveClient over(PveTransport transport) {
        return new PveClient(transport, RetryConfig.defaults());
    }

    /** A client with the given retry settings (use {@link RetryConfig#noDelays()} in tests). */
    public static PveClient over(PveTransport transport, RetryConfig retry) {
        return new PveClient(transport, retry);
    }

    /** {@code GET /version}. */
    public PveVersion version() {
        ApiPath p = ApiPath.of("version");
        return PveVersion.from(get(p, Map.of()), op(Method.GET, p));
    }

    /** {@code GET /nodes}. */
    public List<NodeInfo> nodes() {
        ApiPath p = ApiPath.of("nodes");
        String op = op(Method.GET, p);
        List<NodeInfo> out = new ArrayList<>();
        for (JsonNode n : PveJson.array(get(p, Map.of()), op)) {
            out.add(NodeInfo.from(n, op));
        }
        return out;
    }

    /**
     * {@code GET /cluster/resources?type=...}: one call for the whole cluster (e.g. every VM with its
     * node, status and tags). Parsed with the tree model and explicit field reads: fast for thousands
     * of entries.
     */
    public List<ClusterResource> clusterResources(ResourceType type) {
        ApiPath p = ApiPath.of("cluster", "resources");
        String op = op(Method.GET, p);
        Map<String, String> q = type == null ? Map.of() : Map.of("type", type.wire());
        List<JsonNode> items = PveJson.array(get(p, q), op);
        List<ClusterResource> out = new ArrayList<>(items.size());
        for (JsonNode n : items) {
            out.add(ClusterResource.from(n, op));
        }
        return out;
    }

    /** {@code GET /storage}: every storage definition of the cluster. */
    public List<StorageConfig> storageConfig() {
        ApiPath p = ApiPath.of("storage");
        String op = op(Method.GET, p);
        List<StorageConfig> out = new ArrayList<>();
        for (JsonNode n : PveJson.array(get(p, Map.of()), op)) {
            out.add(StorageConfig.from(n, op));
        }
        return out;
    }

    /** {@code GET /storage/{id}}. */
    public StorageConfig storageConfig(String storage) {
        ApiPath p = ApiPath.of("storage").child(Names.storage(storage));
        String op = op(Method.GET, p);
        return StorageConfig.from(PveJson.object(get(p, Map.of()), op), op);
    }

    /**
     * {@code PUT /storage/{id}} with {@code content} (what {@code pvesm set --content} sends; pve-storage
     * {@code API2/Storage/Config.pm} {@code update}), checked against {@code digest} when given.
     */
    public void setStorageContent(String storage, String content, String digest) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("content", Objects.requireNonNull(content, "content"));
        if (digest != null) {
            params.put("digest", digest);
        }
        put(ApiPath.of("storage").child(Names.storage(storage)), params);
    }

    /** The API below {@code /access} (users, tokens, roles, ACLs, effective permissions). */
    public AccessApi access() {
        return new AccessApi(this, ApiPath.of("access"));
    }

    /** The API below {@code /nodes/{node}}. */
    public NodeApi node(String node) {
        return new NodeApi(this, ApiPath.of("nodes").child(Names.node(node)), node);
    }

    // ------------------------------------------------------------ calls (used by the API levels)

    JsonNode get(ApiPath path, Map<String, ?> params) {
        return call(Method.GET, path, params).data();
    }

    PveResponse getResponse(ApiPath path, Map<String, ?> params) {
        return call(Method.GET, path, params);
    }

    JsonNode post(ApiPath path, Map<String, ?> params) {
        return call(Method.POST, path, params).data();
    }

    JsonNode put(ApiPath path, Map<String, ?> params) {
        return call(Method.PUT, path, params).data();
    }

    JsonNode delete(ApiPath path, Map<String, ?> params) {
        return call(Method.DELETE, path, params).data();
    }

    private PveResponse call(Method method, ApiPath path, Map<String, ?> params) {
        return resilience.call(transport, method, path.toString(), new LinkedHashMap<>(params));
    }

    static String op(Method m, ApiPath p) {
        return m + " " + p;
    }

    @Override
    public void close() {
        transport.close();
    }

    @Override
    public String toString() {
        return "PveClient[" + transport + "]";
    }
}
