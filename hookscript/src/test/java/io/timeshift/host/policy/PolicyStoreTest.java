package io.timeshift.host.policy;

import io.timeshift.host.testing.TempHost;
import io.timeshift.common.error.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyStoreTest {
    @TempDir
    Path dir;

    @Test
    void writesAPolicyThatReadsBackEqualWithPmxcfsMode() throws Exception {
        TempHost host = new TempHost(dir);
        PolicyStore store = new PolicyStore(host.paths());
        Policy p = new Policy(105, Mode.FIXED, Instant.parse("2021-03-01T12:00:00Z"), null, null, false, false,
                List.of(), null, null);

        store.write(p);

        assertEquals(Optional.of(p), store.read(105));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file(105))));
    }

    @Test
    void aVmWithoutPolicyReadsEmpty() {
        assertEquals(Optional.empty(), new PolicyStore(new TempHost(dir).paths()).read(105));
    }

    @Test
    void anInvalidPolicyFileIsInvalidInput() {
        TempHost host = new TempHost(dir).policy(105, "{");

        assertThrows(InvalidInputException.class, () -> new PolicyStore(host.paths()).read(105));
    }

    @Test
    void listsOnlyVmidPolicyFilesSorted() {
        TempHost host = new TempHost(dir).policy(200, "{}").policy(105, "{}");
        host.policy(99, "{}"); // below the VMID range: not a policy of ours
        new PolicyStore(host.paths()).write(new Policy(300, Mode.OFFSET, null, java.time.Duration.ofDays(-1), null,
                false, false, null, null, null));

        assertEquals(List.of(105, 200, 300), new PolicyStore(host.paths()).vmids());
    }

    @Test
    void deleteRemovesPolicyAndClockMirror() throws Exception {
        TempHost host = new TempHost(dir).policy(105, "{}");
        Files.writeString(host.paths().clockMirror(105), "{}");

        new PolicyStore(host.paths()).delete(105);

        assertFalse(Files.exists(host.paths().policyFile(105)));
        assertFalse(Files.exists(host.paths().clockMirror(105)));
        assertTrue(Files.isDirectory(host.paths().policyDir()));
    }
}
