package io.timeshift.host.testing;

import io.timeshift.host.audit.AuditLog;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * {@code AuditAppenderMain <log> <count> <actor>}: appends {@code count} entries, as a hook process
 * would. Waits for a line on stdin first, so that two processes can be released at the same moment.
 */
public final class AuditAppenderMain {
    private AuditAppenderMain() {
    }

    public static void main(String[] args) throws Exception {
        AuditLog log = new AuditLog(Path.of(args[0]), Clock.fixed(Instant.parse("2021-03-01T12:00:00Z"), ZoneOffset.UTC));
        int count = Integer.parseInt(args[1]);
        System.out.println("ready");
        System.out.flush();
        System.in.read();
        for (int i = 0; i < count; i++) {
            log.append(args[2], 105, "test-append", Map.of("i", i, "padding", "x".repeat(200)));
        }
        System.out.println("done");
    }
}
