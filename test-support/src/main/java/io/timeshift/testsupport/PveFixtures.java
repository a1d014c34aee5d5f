package io.timeshift.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Recorded PVE response shapes ({@code src/test/resources/pve/}) and generated ones.
 */
public final class PveFixtures {
    private PveFixtures() {
    }

    /** A file from {@code src/test/resources/pve/}. */
    public static String load(String name) {
        try (InputStream in = PveFixtures.class.getResourceAsStream("/pve/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture /pve/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One guest of a {@link #clusterResources(List, long)} answer. */
    public record Guest(int vmid, boolean lxc, boolean running, boolean template, String node, String tags) {
    }

    /**
     * A {@code /cluster/resources?type=vm} answer with {@code count} guests over 5 nodes, in the
     * shape of {@code cluster-resources-vm.json} (same keys and value types as PVE 8 sends; tags as
     * {@code "a;b"}, template as 0/1, lock only while locked, lxc entries mixed in). Deterministic.
     */
    public static String clusterResources(int count) {
        Random rnd = new Random(42);
        List<Guest> guests = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            boolean running = rnd.nextInt(3) != 0;
            boolean template = i % 50 == 49;
            guests.add(new Guest(100 + i, i % 10 == 9, running && !template, template, "pve" + (1 + i % 5),
                    i % 7 == 0 ? "bmc;time-shift" : (i % 3 == 0 ? "prod" : "")));
        }
        return clusterResources(guests, 42);
    }

    /** The same shape for the given guests; the load figures come from a {@code Random(seed)}. */
    public static String clusterResources(List<Guest> guests, long seed) {
        Random rnd = new Random(seed);
        StringBuilder sb = new StringBuilder(guests.size() * 420).append("{\"data\":[");
        for (int i = 0; i < guests.size(); i++) {
            Guest g = guests.get(i);
            if (i > 0) {
                sb.append(',');
            }
            sb.append('{')
                    .append("\"id\":\"").append(g.lxc() ? "lxc/" : "qemu/").append(g.vmid()).append("\",")
                    .append("\"type\":\"").append(g.lxc() ? "lxc" : "qemu").append("\",")
                    .append("\"vmid\":").append(g.vmid()).append(',')
                    .append("\"node\":\"").append(g.node()).append("\",")
                    .append("\"name\":\"vm-").append(g.vmid()).append("\",")
                    .append("\"status\":\"").append(g.running() ? "running" : "stopped").append("\",")
                    .append("\"template\":").append(g.template() ? 1 : 0).append(',')
                    .append("\"maxcpu\":").append(1 + rnd.nextInt(8)).append(',')
                    .append("\"cpu\":").append(g.running() ? rnd.nextDouble() / 10 : 0).append(',')
                    .append("\"maxmem\":").append((1L + rnd.nextInt(16)) * 1073741824L).append(',')
                    .append("\"mem\":").append(g.running() ? rnd.nextInt(1 << 30) : 0).append(',')
                    .append("\"maxdisk\":34359738368,\"disk\":0,")
                    .append("\"netin\":").append(rnd.nextInt(1 << 20)).append(',')
                    .append("\"netout\":").append(rnd.nextInt(1 << 20)).append(',')
                    .append("\"diskread\":").append(rnd.nextInt(1 << 24)).append(',')
                    .append("\"diskwrite\":").append(rnd.nextInt(1 << 24)).append(',')
                    .append("\"uptime\":").append(g.running() ? rnd.nextInt(1_000_000) : 0);
            if (!g.tags().isEmpty()) {
                sb.append(",\"tags\":\"").append(g.tags()).append('"');
            }
            if (i % 97 == 13) {
                sb.append(",\"lock\":\"backup\"");
            }
            if (i % 11 == 0) {
                sb.append(",\"hastate\":\"started\"");
            }
            sb.append('}');
        }
        return sb.append("]}").toString();
    }
}
