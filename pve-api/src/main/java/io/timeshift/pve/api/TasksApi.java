package io.timeshift.pve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.json.PveJson;
import io.timeshift.pve.api.tasks.TaskLog;
import io.timeshift.pve.api.tasks.TaskStatus;
import io.timeshift.pve.api.tasks.Upid;
import io.timeshift.pve.api.transport.Method;
import io.timeshift.pve.api.transport.PveResponse;
import io.timeshift.common.error.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /nodes/{node}/tasks} (pve-manager {@code API2/Tasks.pm}). */
public final class TasksApi {
    private final PveClient client;
    private final ApiPath path;

    TasksApi(PveClient client, ApiPath path) {
        this.client = client;
        this.path = path;
    }

    /** {@code GET .../tasks/{upid}/status}. */
    public TaskStatus status(Upid upid) {
        ApiPath p = path.child(upid.format()).child("status");
        return TaskStatus.from(upid, client.get(p, Map.of()), PveClient.op(Method.GET, p));
    }

    /** {@code GET .../tasks/{upid}/log?start=&limit=} ({@code start} is 0-based). */
    public TaskLog log(Upid upid, int start, int limit) {
        if (start < 0 || limit < 1) {
            throw new InvalidInputException("task log start must be >= 0 and limit >= 1 (got " + start + ", " + limit + ")");
        }
        ApiPath p = path.child(upid.format()).child("log");
        String op = PveClient.op(Method.GET, p);
        Map<String, String> q = new LinkedHashMap<>();
        q.put("start", Integer.toString(start));
        q.put("limit", Integer.toString(limit));
        PveResponse r = client.getResponse(p, q);
        List<TaskLog.Line> lines = new ArrayList<>();
        for (JsonNode n : PveJson.array(r.data(), op)) {
            lines.add(new TaskLog.Line(PveJson.longValue(n, "n", 0, op), PveJson.optText(n, "t").orElse("")));
        }
        return new TaskLog(lines, r.total());
    }
}
