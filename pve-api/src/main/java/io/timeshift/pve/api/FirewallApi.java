package io.timeshift.pve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.json.PveJson;
import io.timeshift.pve.api.transport.Method;
import io.timeshift.common.error.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A VM's firewall, {@code /nodes/{node}/qemu/{vmid}/firewall} (pve-firewall {@code API2/Firewall/VM.pm},
 * {@code Rules.pm}, {@code IPSet.pm}), and the datacenter's firewall options
 * ({@code /cluster/firewall/options}). Facts and citations: {@code docs/pve-firewall.md}.
 *
 * <p>Shapes as PVE sends them: options are one object with a {@code digest} (absent options are
 * missing); rules and IP sets are lists whose every entry carries the list's {@code digest}; rules
 * carry their {@code pos}. A new rule goes to position 0 and is disabled unless {@code enable=1} is
 * sent; an IP set is created empty and filled one {@code cidr} at a time.
 */
public final class FirewallApi {
    private final PveClient client;
    private final ApiPath path;
    private final int vmid;

    private FirewallApi(PveClient client, ApiPath path, int vmid) {
        this.client = client;
        this.path = path;
        this.vmid = vmid;
    }

    /** The firewall of VM {@code vmid} on {@code node}. */
    public static FirewallApi vm(PveClient client, String node, int vmid) {
        ApiPath p = ApiPath.of("nodes").child(Names.node(node)).child("qemu").child(Integer.toString(Names.vmid(vmid)))
                .child("firewall");
        return new FirewallApi(client, p, vmid);
    }

    /** {@code GET /cluster/firewall/options}: the datacenter options ({@code enable} absent means off). */
    public static Options clusterOptions(PveClient client) {
        ApiPath p = ApiPath.of("cluster", "firewall", "options");
        return Options.from(client.get(p, Map.of()), PveClient.op(Method.GET, p));
    }

    /** Options with their digest; {@code values} holds only the options that are set, as text. */
    public record Options(Map<String, String> values, String digest) {
        static Options from(JsonNode n, String op) {
            Map<String, String> v = new LinkedHashMap<>(PveJson.flatText(PveJson.object(n, op)));
            String digest = v.remove("digest");
            return new Options(Map.copyOf(v), digest);
        }

        public String get(String key) {
            return values.get(key);
        }

        /** A PVE boolean option ({@code 1}, {@code 0}, absent = {@code dflt}). */
        public boolean flag(String key, boolean dflt) {
            String v = values.get(key);
            if (v == null) {
                return dflt;
            }
            Boolean b = PveJson.parseBoolean(v);
            return b == null ? dflt : b;
        }
    }

    /** One rule as listed: every field as text (absent ones missing), its position and the list's digest. */
    public record Rule(int pos, Map<String, String> fields, String digest) {
        public String get(String key) {
            return fields.get(key);
        }
    }

    /** One IP set of the VM. */
    public record IpSet(String name, String comment, String digest) {
    }

    /** One entry of an IP set. */
    public record IpSetEntry(String cidr, String comment, boolean nomatch) {
    }

    // ------------------------------------------------------------------ options

    /** {@code GET .../firewall/options}. */
    public Options options() {
        ApiPath p = path.child("options");
        return Options.from(client.get(p, Map.of()), PveClient.op(Method.GET, p));
    }

    /**
     * {@code PUT .../firewall/options}: sets {@code set}, deletes {@code delete} (PVE's {@code delete}
     * list), checked against {@code digest} (null: unchecked).
     */
    public void setOptions(Map<String, String> set, List<String> delete, String digest) {
        Map<String, Object> params = new LinkedHashMap<>(set);
        if (delete != null && !delete.isEmpty()) {
            params.put("delete", String.join(",", delete));
        }
        if (digest != null) {
            params.put("digest", digest);
        }
        if (params.isEmpty()) {
            throw new InvalidInputException("firewall options update for VM " + vmid + " changes nothing");
        }
        client.put(path.child("options"), params);
    }

    // ------------------------------------------------------------------ IP sets

    /** {@code GET .../firewall/ipset}. */
    public List<IpSet> ipsets() {
        ApiPath p = path.child("ipset");
        String op = PveClient.op(Method.GET, p);
        List<IpSet> out = new ArrayList<>();
        for (JsonNode n : PveJson.array(client.get(p, Map.of()), op)) {
            out.add(new IpSet(PveJson.requireText(n, "name", op), PveJson.text(n, "comment"), PveJson.text(n, "digest")));
        }
        return out;
    }

    /** {@code GET .../firewall/ipset/{name}}. */
    public List<IpSetEntry> ipset(String name) {
        ApiPath p = path.child("ipset").child(ipsetName(name));
        String op = PveClient.op(Method.GET, p);
        List<IpSetEntry> out = new ArrayList<>();
        for (JsonNode n : PveJson.array(client.get(p, Map.of()), op)) {
            out.add(new IpSetEntry(PveJson.requireText(n, "cidr", op), PveJson.text(n, "comment"), PveJson.bool(n, "nomatch", false)));
        }
        return out;
    }

    /** {@code POST .../firewall/ipset} {@code name}, {@code comment}: a new, empty IP set. */
    public void createIpset(String name, String comment) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", ipsetName(name));
        if (comment != null) {
            params.put("comment", comment);
        }
        client.post(path.child("ipset"), params);
    }

    /** {@code POST .../firewall/ipset/{name}} {@code cidr}, {@code comment}. */
    public void addToIpset(String name, String cidr, String comment) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("cidr", cidr);
        if (comment != null) {
            params.put("comment", comment);
        }
        client.post(path.child("ipset").child(ipsetName(name)), params);
    }

    /** {@code DELETE .../firewall/ipset/{name}} with {@code force=1} (its entries go with it). */
    public void deleteIpset(String name) {
        client.delete(path.child("ipset").child(ipsetName(name)), Map.of("force", "1"));
    }

    // ------------------------------------------------------------------ rules

    /** {@code GET .../firewall/rules}, in position order. */
    public List<Rule> rules() {
        ApiPath p = path.child("rules");
        String op = PveClient.op(Method.GET, p);
        List<Rule> out = new ArrayList<>();
        int i = 0;
        for (JsonNode n : PveJson.array(client.get(p, Map.of()), op)) {
            Map<String, String> f = new LinkedHashMap<>(PveJson.flatText(PveJson.object(n, op)));
            String digest = f.remove("digest");
            String pos = f.remove("pos");
            int at = i;
            if (pos != null) {
                try {
                    at = Integer.parseInt(pos);
                } catch (NumberFormatException e) {
                    at = i;
                }
            }
            out.add(new Rule(at, Map.copyOf(f), digest));
            i++;
        }
        return out;
    }

    /** {@code POST .../firewall/rules}: the rule goes to position 0 (PVE inserts new rules first). */
    public void createRule(Map<String, String> fields) {
        if (fields.get("type") == null || fields.get("action") == null) {
            throw new InvalidInputException("a firewall rule needs type and action");
        }
        client.post(path.child("rules"), new LinkedHashMap<>(fields));
    }

    /** {@code DELETE .../firewall/rules/{pos}} checked against {@code digest} (null: unchecked). */
    public void deleteRule(int pos, String digest) {
        if (pos < 0) {
            throw new InvalidInputException("firewall rule position must not be negative");
        }
        Map<String, String> params = digest == null ? Map.of() : Map.of("digest", digest);
        client.delete(path.child("rules").child(Integer.toString(pos)), params);
    }

    /** pve-firewall's {@code ipset-name} format: a letter, then letters, digits, '-' or '_' (at least 2 characters). */
    public static String ipsetName(String name) {
        boolean ok = name != null && name.length() >= 2 && name.length() <= 64 && isLetter(name.charAt(0));
        for (int i = 1; ok && i < name.length(); i++) {
            char c = name.charAt(i);
            ok = isLetter(c) || (c >= '0' && c <= '9') || c == '-' || c == '_';
        }
        if (!ok) {
            throw new InvalidInputException("IP set name '" + name + "' is not valid; expected a letter, then letters, digits, '-' or '_'");
        }
        return name;
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
