package io.timeshift.host.admin;

import io.timeshift.host.finding.Finding;
import io.timeshift.host.policy.IsolationRecord;
import io.timeshift.host.policy.Mode;
import io.timeshift.host.policy.Policy;
import io.timeshift.host.vmconfig.ConfigChange;
import io.timeshift.pve.api.ConfigUpdate;
import io.timeshift.pve.api.FirewallApi;
import io.timeshift.pve.api.PveClient;
import io.timeshift.pve.api.VmConfigView;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.error.TimeShiftException;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Fences a past-dated VM in with its Proxmox firewall, through the API only (pvesh locally, HTTPS
 * remotely): an IP set {@value #IPSET} with the BMCs' addresses, outbound ACCEPT rules to that set on
 * the BMCs' ports (and DNS to named resolvers), {@code policy_out: DROP}, the VM firewall on and
 * {@code firewall=1} on every NIC. What it changed is recorded as the policy's
 * {@code original.firewall} so that {@link #restoreFirewall} and {@link #restoreNics} put back exactly
 * what was there; the admin's own rules and IP sets are never touched (ours are told apart by name and
 * rule comment). Facts about the API: {@code docs/pve-firewall.md}. What it will do and did are typed
 * values ({@link Plan}, {@link Undo}, {@link Restored}); the cli shows them.
 *
 * <p>The record, a JSON object: {@code ipset} (the set we created), {@code members} (its addresses),
 * {@code rules} (the comments of the rules we created), {@code options} (the VM firewall options
 * {@code enable} and {@code policy_out} before, null = unset) and {@code nets} (each NIC's value before).
 */
public final class Isolation {
    /** The IP set of the VM's BMCs (pve-firewall's {@code ipset-name} format). */
    public static final String IPSET = "time-shift-bmc";
    /** Every rule we create has a comment starting with this. */
    static final String RULE_PREFIX = "time-shift isolate: ";
    static final String IPSET_COMMENT = "time-shift: the BMCs this VM is for";

    /** Name to addresses; {@link #DNS} in production. */
    public interface Resolver {
        List<String> resolve(String host) throws UnknownHostException;
    }

    /** The system resolver (the host's, at the time isolation is set up). */
    public static final Resolver DNS = new Resolver() {
        @Override
        public List<String> resolve(String host) throws UnknownHostException {
            List<String> out = new ArrayList<>();
            for (InetAddress a : InetAddress.getAllByName(host)) {
                String s = a.getHostAddress();
                int pct = s.indexOf('%');
                out.add(pct >= 0 ? s.substring(0, pct) : s);
            }
            return out;
        }
    };

    /** A BMC target with the addresses it resolved to. */
    public record Endpoint(String target, String host, int port, List<String> addresses) {
        /** Whether the target named its address (nothing was resolved). */
        public boolean literal() {
            return addresses.size() == 1 && addresses.get(0).equalsIgnoreCase(host);
        }
    }

    /** The firewall state wanted: set members (address to the target named), ports, DNS resolvers. */
    public record Desired(Map<String, String> members, Set<Integer> ports, List<String> dns) {
        /** The outbound rules, as the API takes them ({@code type}, {@code action}, {@code macro}, {@code dest}, ...). */
        public List<Map<String, String>> rules() {
            List<Map<String, String>> out = new ArrayList<>();
            for (int port : ports) {
                Map<String, String> r = new LinkedHashMap<>();
                r.put("type", "out");
                r.put("action", "ACCEPT");
                r.put("dest", "+" + IPSET);
                r.put("proto", "tcp");
                r.put("dport", Integer.toString(port));
                r.put("enable", "1");
                r.put("comment", RULE_PREFIX + "BMCs on tcp/" + port);
                out.add(r);
            }
            for (String ip : dns) {
                Map<String, String> r = new LinkedHashMap<>();
                r.put("type", "out");
                r.put("action", "ACCEPT");
                r.put("macro", "DNS");
                r.put("dest", ip);
                r.put("enable", "1");
                r.put("comment", RULE_PREFIX + "DNS to " + ip);
                out.add(r);
            }
            return out;
        }
    }

    private Isolation() {
    }

    // ------------------------------------------------------------------ targets

    /** host and port of a target ({@code host}, {@code host:port}, {@code https://host[:port][/path]}, {@code [v6]:port}). */
    static Endpoint parse(String target) {
        String t = target.trim();
        int scheme = t.indexOf("://");
        if (scheme >= 0) {
            t = t.substring(scheme + 3);
        }
        int slash = t.indexOf('/');
        if (slash >= 0) {
            t = t.substring(0, slash);
        }
        String host;
        String port = null;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                throw new InvalidInputException("--target: '" + target + "' has an unclosed [ (use [v6]:port)");
            }
            host = t.substring(1, close);
            if (close + 1 < t.length()) {
                if (t.charAt(close + 1) != ':') {
                    throw new InvalidInputException("--target: '" + target + "' is not host, host:port or https://host[:port]");
                }
                port = t.substring(close + 2);
            }
        } else {
            int colon = t.lastIndexOf(':');
            if (colon >= 0 && t.indexOf(':') == colon) {
                host = t.substring(0, colon);
                port = t.substring(colon + 1);
            } else {
                host = t;
            }
        }
        int p = 443;
        if (port != null) {
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                p = -1;
            }
            if (p < 1 || p > 65535) {
                throw new InvalidInputException("--target: '" + target + "': port must be 1-65535");
            }
        }
        if (host.isEmpty()) {
            throw new InvalidInputException("--target: '" + target + "' has no host");
        }
        return new Endpoint(target, host, p, List.of());
    }

    /** Resolves every target now; exit 2 naming the one that does not resolve. */
    public static List<Endpoint> resolve(List<String> targets, Resolver resolver) {
        List<Endpoint> out = new ArrayList<>();
        for (String t : targets) {
            Endpoint e = parse(t);
            List<String> addrs;
            if (isIpLiteral(e.host())) {
                out.add(new Endpoint(t, e.host(), e.port(), List.of(e.host())));
                continue;
            }
            try {
                addrs = resolver.resolve(e.host());
            } catch (UnknownHostException | RuntimeException ex) {
                throw new InvalidInputException("--target: '" + t + "': the name " + e.host() + " does not resolve on this host"
                        + " (isolation needs its address); use the BMC's IP address or fix DNS/hosts");
            }
            if (addrs.isEmpty()) {
                throw new InvalidInputException("--target: '" + t + "': the name " + e.host() + " has no address");
            }
            out.add(new Endpoint(t, e.host(), e.port(), List.copyOf(new LinkedHashSet<>(addrs))));
        }
        return out;
    }

    /** The wanted state for {@code endpoints} and DNS resolvers {@code dns} (IP addresses). */
    public static Desired desired(List<Endpoint> endpoints, List<String> dns) {
        Map<String, String> members = new LinkedHashMap<>();
        Set<Integer> ports = new TreeSet<>();
        for (Endpoint e : endpoints) {
            for (String a : e.addresses()) {
                members.putIfAbsent(a.toLowerCase(Locale.ROOT), e.host());
            }
            ports.add(e.port());
        }
        List<String> resolvers = new ArrayList<>();
        for (String d : dns == null ? List.<String>of() : dns) {
            String ip = d.trim();
            if (!isIpLiteral(ip)) {
                throw new InvalidInputException("--allow-dns: '" + d + "' is not an IP address (name the resolver by address,"
                        + " e.g. 192.0.2.53)");
            }
            if (!resolvers.contains(ip)) {
                resolvers.add(ip);
            }
        }
        return new Desired(members, ports, resolvers);
    }

    // ------------------------------------------------------------------ showing

    /**
     * A firewall option or NIC value isolation changes: {@code before} (null: unset, which PVE reads as
     * {@code unsetMeans}; null for a NIC) and {@code after}.
     */
    public record Change(String key, String before, String unsetMeans, String after) {
    }

    /**
     * What {@link #apply} will do to VM {@code vmid}: the targets ({@code endpoints}, with what their names
     * resolved to), the IP set and rules ({@code desired}), the firewall {@code options} and {@code nics}
     * it changes; {@code noNic}: the VM has no network device.
     */
    public record Plan(int vmid, List<Endpoint> endpoints, Desired desired, List<Change> options, boolean noNic,
                       List<Change> nics) {
        public Plan {
            endpoints = List.copyOf(endpoints);
            options = List.copyOf(options);
            nics = List.copyOf(nics);
        }
    }

    /** What {@link #apply} will do, for the change preview. */
    public static Plan plan(int vmid, FirewallApi.Options options, VmConfigView conf, Desired d, List<Endpoint> endpoints) {
        List<Change> opts = new ArrayList<>();
        String enable = options.get("enable");
        if (!"1".equals(enable)) {
            opts.add(new Change("enable", enable, "off", "1"));
        }
        String po = options.get("policy_out");
        if (!"DROP".equals(po)) {
            opts.add(new Change("policy_out", po, "ACCEPT", "DROP"));
        }
        List<String> keys = NicFirewall.nics(conf);
        List<Change> nics = new ArrayList<>();
        for (String k : keys) {
            String v = conf.get(k).orElse("");
            String w = NicFirewall.withFirewall(v);
            if (!w.equals(v)) {
                nics.add(new Change(k, v, null, w));
            }
        }
        return new Plan(vmid, endpoints, d, opts, keys.isEmpty(), nics);
    }

    // ------------------------------------------------------------------ changing

    /**
     * Creates the IP set and rules, sets the options and turns the firewall on for every NIC (one
     * config update against {@code conf}'s digest). Every step is pushed onto {@code undo}. Returns
     * the record of what was there before.
     */
    public static Map<String, Object> apply(PveClient client, String node, int vmid, VmConfigView conf, Desired d,
                                            Deque<EnableService.Undo> undo) {
        FirewallApi fw = FirewallApi.vm(client, node, vmid);
        for (FirewallApi.IpSet s : fw.ipsets()) {
            if (s.name().equals(IPSET)) {
                throw new EnvironmentException("VM " + vmid + " already has a firewall IP set named " + IPSET + " that time-shift"
                        + " did not record; rename or delete it (Firewall → IPSet of VM " + vmid + "), then run again");
            }
        }
        FirewallApi.Options options = fw.options();
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("ipset", IPSET);
        record.put("members", new ArrayList<>(d.members().keySet()));
        List<String> comments = new ArrayList<>();
        record.put("rules", comments);
        Map<String, Object> oldOptions = new LinkedHashMap<>();
        oldOptions.put("enable", options.get("enable"));
        oldOptions.put("policy_out", options.get("policy_out"));
        record.put("options", oldOptions);
        Map<String, Object> nets = new LinkedHashMap<>();
        record.put("nets", nets);

        fw.createIpset(IPSET, IPSET_COMMENT);
        undo.push(new EnableService.Undo("delete the IP set " + IPSET + " of VM " + vmid,
                "pvesh delete /nodes/" + node + "/qemu/" + vmid + "/firewall/ipset/" + IPSET + " --force 1",
                () -> fw.deleteIpset(IPSET)));
        for (Map.Entry<String, String> m : d.members().entrySet()) {
            fw.addToIpset(IPSET, m.getKey(), m.getValue());
        }
        List<Map<String, String>> rules = d.rules();
        undo.push(new EnableService.Undo("delete the rules time-shift added to VM " + vmid + "'s firewall",
                "delete the rules commented '" + RULE_PREFIX + "...' in Firewall of VM " + vmid, () -> deleteRules(fw, comments)));
        // PVE puts a new rule first: create them last to first so they end up in this order
        for (int i = rules.size() - 1; i >= 0; i--) {
            Map<String, String> r = rules.get(i);
            comments.add(0, r.get("comment")); // before the call: an unknown outcome is cleaned up too
            fw.createRule(r);
        }
        Map<String, String> set = new LinkedHashMap<>();
        if (!"1".equals(options.get("enable"))) {
            set.put("enable", "1");
        }
        if (!"DROP".equals(options.get("policy_out"))) {
            set.put("policy_out", "DROP");
        }
        if (!set.isEmpty()) {
            fw.setOptions(set, List.of(), options.digest());
            undo.push(new EnableService.Undo("restore the firewall options of VM " + vmid, "pvesh set /nodes/" + node + "/qemu/"
                    + vmid + "/firewall/options (enable, policy_out as before)", () -> restoreOptions(fw, oldOptions)));
        }
        ConfigChange change = new ConfigChange(conf);
        for (String k : NicFirewall.nics(conf)) {
            String v = conf.get(k).orElse("");
            String w = NicFirewall.withFirewall(v);
            if (!w.equals(v)) {
                change.set(k, w);
                nets.put(k, v);
            }
        }
        if (!change.isEmpty()) {
            client.node(node).qemu(vmid).updateConfig(change.update());
            ConfigUpdate.Builder back = ConfigUpdate.builder();
            for (Map.Entry<String, Object> e : nets.entrySet()) {
                back.set(e.getKey(), (String) e.getValue());
            }
            ConfigUpdate backUpdate = back.build();
            undo.push(new EnableService.Undo("restore the network devices of VM " + vmid, "qm set " + vmid + " --netN <as before>",
                    () -> client.node(node).qemu(vmid).updateConfig(backUpdate)));
        }
        return record;
    }

    /**
     * What {@link #restoreFirewall} did: {@code rulesRemoved} rules, the IP sets removed ({@code ipsets}), and
     * the options put back ({@code options}: the recorded values, null = unset; null when they were so already).
     */
    public record Restored(int rulesRemoved, List<String> ipsets, Map<String, Object> options) {
        public Restored {
            ipsets = List.copyOf(ipsets);
        }

        /** Whether anything was there to undo. */
        public boolean any() {
            return rulesRemoved > 0 || !ipsets.isEmpty() || options != null;
        }
    }

    /**
     * Undoes what {@code record} says isolation did, in the VM's firewall (rules, IP set, options);
     * idempotent (what is gone already is skipped). The NICs are the caller's: {@link #restoreNics}.
     */
    public static Restored restoreFirewall(PveClient client, String node, int vmid, Map<String, Object> record) {
        FirewallApi fw = FirewallApi.vm(client, node, vmid);
        int n = deleteRules(fw, strings(record.get("rules")));
        List<String> sets = new ArrayList<>();
        String set = record.get("ipset") instanceof String s ? s : null;
        if (set != null) {
            for (FirewallApi.IpSet s : fw.ipsets()) {
                if (s.name().equals(set)) {
                    fw.deleteIpset(set);
                    sets.add(set);
                }
            }
        }
        Map<String, Object> options = null;
        if (record.get("options") instanceof Map<?, ?> o) {
            @SuppressWarnings("unchecked")
            Map<String, Object> old = (Map<String, Object>) o;
            if (restoreOptions(fw, old)) {
                options = old;
            }
        }
        return new Restored(n, sets, options);
    }

    /** Puts each NIC isolation changed back into {@code change} (see {@link NicFirewall#restore}). */
    static void restoreNics(ConfigChange change, VmConfigView conf, Map<String, Object> record) {
        if (!(record.get("nets") instanceof Map<?, ?> nets)) {
            return;
        }
        for (Map.Entry<?, ?> e : nets.entrySet()) {
            if (!(e.getKey() instanceof String k) || !(e.getValue() instanceof String before)) {
                continue;
            }
            String now = conf.get(k).orElse(null);
            if (now != null) {
                change.set(k, NicFirewall.restore(before, now));
            }
        }
    }

    /**
     * What {@link #restoreFirewall} will undo in VM {@code vmid}'s firewall: the IP set {@code ipset}, the
     * rules commented {@code rules}, and the options back to {@code options} (null = unset; null when the
     * record has none).
     */
    public record Undo(int vmid, String ipset, List<String> rules, Map<String, Object> options) {
        public Undo {
            rules = List.copyOf(rules);
        }
    }

    /** What {@link #restoreFirewall} (and {@link #restoreNics}) will do for {@code record}. */
    @SuppressWarnings("unchecked")
    static Undo undo(int vmid, Map<String, Object> record) {
        return new Undo(vmid, record.get("ipset") instanceof String s ? s : IPSET, strings(record.get("rules")),
                record.get("options") instanceof Map<?, ?> o ? (Map<String, Object>) o : null);
    }

    /** Sets {@code enable}/{@code policy_out} back to the recorded values (null: deleted); false when already so. */
    private static boolean restoreOptions(FirewallApi fw, Map<String, Object> old) {
        FirewallApi.Options now = fw.options();
        Map<String, String> set = new LinkedHashMap<>();
        List<String> delete = new ArrayList<>();
        for (String key : List.of("enable", "policy_out")) {
            if (!old.containsKey(key)) {
                continue;
            }
            Object v = old.get(key);
            String want = v instanceof String s ? s : v == null ? null : String.valueOf(v);
            String have = now.get(key);
            if (want == null && have != null) {
                delete.add(key);
            } else if (want != null && !want.equals(have)) {
                set.put(key, want);
            }
        }
        if (set.isEmpty() && delete.isEmpty()) {
            return false;
        }
        fw.setOptions(set, delete, now.digest());
        return true;
    }

    /**
     * Deletes the outbound rules whose comment is one of {@code comments}, found in ONE listing, highest
     * position first (so the lower positions stay valid); the first delete is checked against the
     * listing's digest. Returns how many.
     */
    private static int deleteRules(FirewallApi fw, List<String> comments) {
        List<FirewallApi.Rule> victims = new ArrayList<>();
        for (FirewallApi.Rule r : fw.rules()) {
            String c = r.get("comment");
            if (c != null && comments.contains(c) && c.startsWith(RULE_PREFIX) && "out".equals(r.get("type"))) {
                victims.add(r);
            }
        }
        victims.sort((x, y) -> Integer.compare(y.pos(), x.pos()));
        String digest = victims.isEmpty() ? null : victims.get(0).digest();
        for (FirewallApi.Rule r : victims) {
            fw.deleteRule(r.pos(), digest);
            digest = null;
        }
        return victims.size();
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof List<?> l) {
            for (Object x : l) {
                if (x instanceof String s) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ looking

    /** Whether a policy records isolation. */
    public static boolean isolated(Policy p) {
        return IsolationRecord.isolated(p);
    }

    /** Whether the policy puts the guest clock before real time (fixed/continue date in the past, negative offset). */
    public static boolean pastDated(Policy p, Instant now) {
        if (p.mode() == Mode.OFFSET) {
            return p.offset().isNegative();
        }
        return p.date() != null && p.date().isBefore(now);
    }

    /** One-word isolation state for status: {@link IsolationRecord#statusText}. */
    public static String statusText(Policy p) {
        return IsolationRecord.statusText(p);
    }

    /**
     * Doctor's checks for one VM with a policy: an isolated VM whose firewall cannot take effect
     * (datacenter firewall off, VM firewall off, a NIC without {@code firewall=1}), and a past-dated VM
     * that is not isolated. {@code cluster} may be null when it could not be read ({@code clusterError}).
     */
    public static List<Finding> problems(int vmid, Policy p, Instant now, FirewallApi.Options cluster, String clusterError,
                                         FirewallApi.Options vm, VmConfigView conf) {
        List<Finding> out = new ArrayList<>();
        if (!isolated(p)) {
            if (pastDated(p, now)) {
                out.add(Finding.host("VM " + vmid + " runs with its clock in the past and is not isolated: it accepts certificates"
                        + " that expired or were revoked long ago, for every host it can reach", "time-shift isolate " + vmid + " on"));
            }
            return out;
        }
        if (cluster == null) {
            out.add(Finding.host("VM " + vmid + " is isolated, but the datacenter firewall options could not be read ("
                    + clusterError + ")", "pvesh get /cluster/firewall/options"));
        } else if (!cluster.flag("enable", false)) {
            out.add(Finding.host("VM " + vmid + " is isolated, but the datacenter firewall is off, so no VM firewall takes effect",
                    "pvesh set /cluster/firewall/options --enable 1 (Datacenter → Firewall → Options; allow SSH/8006 to the"
                            + " nodes first)"));
        }
        if (vm != null && !vm.flag("enable", false)) {
            out.add(Finding.host("VM " + vmid + " is isolated, but its firewall is off", "time-shift isolate " + vmid + " on"));
        }
        if (vm != null && !"DROP".equals(vm.get("policy_out")) && !"REJECT".equals(vm.get("policy_out"))) {
            out.add(Finding.host("VM " + vmid + " is isolated, but its outbound policy is " + (vm.get("policy_out") == null
                    ? "unset (ACCEPT)" : vm.get("policy_out")), "time-shift isolate " + vmid + " on"));
        }
        if (conf != null) {
            for (String k : NicFirewall.nics(conf)) {
                if (!NicFirewall.enabled(conf.get(k).orElse(""))) {
                    out.add(Finding.host("VM " + vmid + " is isolated, but its " + k + " has no firewall=1: its traffic bypasses"
                            + " the firewall", "time-shift isolate " + vmid + " on (or qm set " + vmid + " --" + k
                            + " <value>,firewall=1)"));
                }
            }
        }
        return out;
    }

    /** True for an IPv4 or IPv6 literal (no name lookup). */
    static boolean isIpLiteral(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        if (s.indexOf(':') >= 0) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (!(c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                    return false;
                }
            }
            return true;
        }
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3) {
                return false;
            }
            for (int i = 0; i < p.length(); i++) {
                if (p.charAt(i) < '0' || p.charAt(i) > '9') {
                    return false;
                }
            }
            if (Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /** Turns an API failure into one line naming the VM's firewall. */
    static TimeShiftException firewallFailure(int vmid, TimeShiftException e) {
        return new EnvironmentException("VM " + vmid + "'s firewall: " + e.getMessage(), e);
    }
}
