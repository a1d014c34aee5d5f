package io.timeshift.host.testing;

import io.timeshift.host.io.Json;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds policy file text shaped like the contract's example; {@link #with} changes or adds a field. */
public final class PolicyJson {
    /** The contract's example policy, byte for byte as the contract shows it. */
    public static final String CONTRACT_EXAMPLE = """
            {
              "version": 1,
              "vmid": 105,
              "mode": "fixed",
              "date": "2021-03-01T12:00:00Z",
              "offset": null,
              "tolerance": "PT2S",
              "timeSync": "disable",
              "onError": "warn",
              "targets": ["https://idrac-r710.mgmt.example:443"],
              "original": { "startdate": null, "hookscript": null, "agent": "1" }
            }
            """;

    private final Map<String, Object> fields = new LinkedHashMap<>();

    private PolicyJson(int vmid, String mode, String date, String offset) {
        fields.put("version", 1);
        fields.put("vmid", vmid);
        fields.put("mode", mode);
        fields.put("date", date);
        fields.put("offset", offset);
        fields.put("tolerance", "PT2S");
        fields.put("timeSync", "disable");
        fields.put("onError", "warn");
        fields.put("targets", List.of());
        Map<String, Object> original = new LinkedHashMap<>();
        original.put("startdate", null);
        original.put("hookscript", null);
        original.put("agent", "1");
        fields.put("original", original);
    }

    public static PolicyJson fixed(int vmid, String date) {
        return new PolicyJson(vmid, "fixed", date, null);
    }

    public static PolicyJson offset(int vmid, String offset) {
        return new PolicyJson(vmid, "offset", null, offset);
    }

    public static PolicyJson continuing(int vmid, String date) {
        return new PolicyJson(vmid, "continue", date, null);
    }

    public PolicyJson with(String field, Object value) {
        fields.put(field, value);
        return this;
    }

    public PolicyJson without(String field) {
        fields.remove(field);
        return this;
    }

    public String text() {
        return new String(Json.pretty(fields), StandardCharsets.UTF_8);
    }
}
