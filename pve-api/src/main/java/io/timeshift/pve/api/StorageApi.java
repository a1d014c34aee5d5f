package io.timeshift.pve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.json.PveJson;
import io.timeshift.pve.api.transport.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code /nodes/{node}/storage/{storage}}. */
public final class StorageApi {
    private final PveClient client;
    private final ApiPath path;

    StorageApi(PveClient client, ApiPath path) {
        this.client = client;
        this.path = path;
    }

    /**
     * {@code GET .../content?content=<type>}: the volumes of one content type on this node's view of
     * the storage, e.g. {@code snippets} to check that the hook script exists where a VM may start.
     */
    public List<StorageContent> content(String contentType) {
        return list(Map.of("content", Names.contentType(contentType)));
    }

    /** {@code GET .../content}: all volumes. */
    public List<StorageContent> content() {
        return list(Map.of());
    }

    private List<StorageContent> list(Map<String, String> q) {
        ApiPath p = path.child("content");
        String op = PveClient.op(Method.GET, p);
        List<StorageContent> out = new ArrayList<>();
        for (JsonNode n : PveJson.array(client.get(p, q), op)) {
            out.add(StorageContent.from(n, op));
        }
        return out;
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
