package io.timeshift.pve.api.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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

    /**
     * A {@code /cluster/resources?type=vm} answer with {@code count} guests over 5 nodes, in the
     * shape of {@code cluster-resources-vm.json} (same keys and value types as PVE 8 sends; tags as
     * {@code "a;b"}, template as 0/1, lock only while locked, lxc entries mixed in). Deterministic.
     */
    public static String clusterResources(int count) {
        Random rnd = new Random(42);
        StringBuilder sb = new StringBuilder(count * 420).append("{\"data\":[");
        for (int i = 0; i < count; i++) {
            int vmid = 100 + i;
            boolean lxc = i % 10 == 9;
            boolean running = rnd.nextInt(3) != 0;
            boolean template = i % 50 == 49;
            String node = "pve" + (1 + i % 5);
            String tags = i % 7 == 0 ? "bmc;time-shift" : (i % 3 == 0 ? "prod" : "");
            if (i > 0) {
                sb.append(',');
            }
            sb.append('{')
                    .append("\"id\":\"").append(lxc ? "lxc/" : "qemu/").append(vmid).append("\",")
                    .append("\"type\":\"").append(lxc ? "lxc" : "qemu").append("\",")
                    .append("\"vmid\":").append(vmid).append(',')
                    .append("\"node\":\"").append(node).append("\",")
                    .append("\"name\":\"vm-").append(vmid).append("\",")
                    .append("\"status\":\"").append(running && !template ? "running" : "stopped").append("\",")
                    .append("\"template\":").append(template ? 1 : 0).append(',')
                    .append("\"maxcpu\":").append(1 + rnd.nextInt(8)).append(',')
                    .append("\"cpu\":").append(running ? rnd.nextDouble() / 10 : 0).append(',')
                    .append("\"maxmem\":").append((1L + rnd.nextInt(16)) * 1073741824L).append(',')
                    .append("\"mem\":").append(running ? rnd.nextInt(1 << 30) : 0).append(',')
                    .append("\"maxdisk\":").append(34359738368L).append(',')
                    .append("\"disk\":0,")
                    .append("\"netin\":").append(rnd.nextInt(1 << 20)).append(',')
                    .append("\"netout\":").append(rnd.nextInt(1 << 20)).append(',')
                    .append("\"diskread\":").append(rnd.nextInt(1 << 24)).append(',')
                    .append("\"diskwrite\":").append(rnd.nextInt(1 << 24)).append(',')
                    .append("\"uptime\":").append(running ? rnd.nextInt(1_000_000) : 0);
            if (!tags.isEmpty()) {
                sb.append(",\"tags\":\"").append(tags).append('"');
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
