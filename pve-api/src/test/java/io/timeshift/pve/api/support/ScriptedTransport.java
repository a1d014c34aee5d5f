package io.timeshift.pve.api.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.json.PveJson;
import io.timeshift.pve.api.transport.Method;
import io.timeshift.pve.api.transport.PveResponse;
import io.timeshift.pve.api.transport.PveTransport;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A fake transport for unit tests: records every call and answers from a per-path script of
 * results or exceptions (the last entry repeats).
 */
public final class ScriptedTransport implements PveTransport {
    /** One recorded call. */
    public record Call(Method method, String path, Map<String, ?> params) {
    }

    private final Map<String, Deque<Supplier<PveResponse>>> script = new LinkedHashMap<>();
    public final List<Call> calls = new ArrayList<>();
    private final String endpoint;

    public ScriptedTransport() {
        this("fake:8006");
    }

    public ScriptedTransport(String endpoint) {
        this.endpoint = endpoint;
    }

    private static String key(Method m, String path) {
        return m + " " + path;
    }

    /** Answer {@code m path} with this JSON data (envelope already removed). */
    public ScriptedTransport answer(Method m, String path, String json) {
        JsonNode node = PveJson.parse(json, "script");
        return then(m, path, () -> PveResponse.of(node));
    }

    /** Fail {@code m path} with this exception. */
    public ScriptedTransport fail(Method m, String path, RuntimeException e) {
        return then(m, path, () -> {
            throw e;
        });
    }

    public ScriptedTransport then(Method m, String path, Supplier<PveResponse> s) {
        script.computeIfAbsent(key(m, path), k -> new ArrayDeque<>()).add(s);
        return this;
    }

    public long count(Method m, String path) {
        return calls.stream().filter(c -> c.method() == m && c.path().equals(path)).count();
    }

    @Override
    public synchronized PveResponse call(Method method, String path, Map<String, ?> params) {
        calls.add(new Call(method, path, params));
        Deque<Supplier<PveResponse>> q = script.get(key(method, path));
        if (q == null || q.isEmpty()) {
            throw new AssertionError("unexpected call " + key(method, path));
        }
        Supplier<PveResponse> s = q.size() > 1 ? q.poll() : q.peek();
        return s.get();
    }

    @Override
    public String endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
    }
}
