package io.timeshift.pve.api.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timeshift.pve.api.error.PveConflictException.Reason;
import io.timeshift.common.error.TimeShiftException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every row is a real PVE message (source named in {@link PveErrorClassifier}), with the HTTP status
 * PVE sends it with (0: printed by pvesh without a code).
 */
class PveErrorClassifierTest {
    private static final String OP = "GET /nodes/pve1/qemu/105/config";

    static Stream<Arguments> realMessages() {
        return Stream.of(
                // 401: pve-access-control create_ticket, pve-manager auth_handler, verify_csrf_prevention_token
                Arguments.of(401, "authentication failure", PveAuthException.class),
                Arguments.of(401, "permission denied - invalid PVE ticket", PveAuthException.class),
                Arguments.of(401, "No ticket", PveAuthException.class),
                Arguments.of(401, "Permission denied - invalid csrf token", PveAuthException.class),
                Arguments.of(401, "", PveAuthException.class),
                // 403: raise_perm_exc
                Arguments.of(403, "Permission check failed (/vms/105, VM.Config.Options)", PvePermissionException.class),
                Arguments.of(403, "Permission check failed (/vms/105, VM.Config.Disk|VM.Config.CDROM)", PvePermissionException.class),
                Arguments.of(403, "Permission check failed", PvePermissionException.class),
                Arguments.of(403, "Permission check failed (user != root@pam)", PvePermissionException.class),
                Arguments.of(0, "Permission check failed (/vms/105, VM.Monitor)", PvePermissionException.class),
                // root-only options: qemu-server $check_vm_modify_config_perm, plain die
                Arguments.of(500, "only root can set 'hookscript' config", PvePermissionException.class),
                Arguments.of(0, "only root can set 'args' config", PvePermissionException.class),
                // 400: raise_param_exc
                Arguments.of(400, "Parameter verification failed.", PveParameterException.class),
                // not found
                Arguments.of(500, "Configuration file 'nodes/pve1/qemu-server/105.conf' does not exist", PveNotFoundException.class),
                Arguments.of(0, "Configuration file 'nodes/pve2/lxc/200.conf' does not exist", PveNotFoundException.class),
                Arguments.of(500, "storage 'nfs-old' does not exist", PveNotFoundException.class),
                Arguments.of(500, "storage 'nfs-old' does not exists", PveNotFoundException.class),
                Arguments.of(0, "no such resource '/nodes/pve1/qemu/105/foo'", PveNotFoundException.class),
                Arguments.of(404, "Not Found", PveNotFoundException.class),
                // conflicts
                Arguments.of(500, "checksum mismatch (file change by other user?)", PveConflictException.class),
                Arguments.of(500, "detected modified configuration - file change by other user? Try again.", PveConflictException.class),
                Arguments.of(500, "VM is locked (backup)", PveConflictException.class),
                Arguments.of(500, "CT is locked (snapshot)", PveConflictException.class),
                Arguments.of(500, "can't lock file '/var/lock/qemu-server/lock-105.conf' - got timeout", PveConflictException.class),
                Arguments.of(500, "cfs-lock 'file-user_cfg' error: got lock request timeout", PveConflictException.class),
                Arguments.of(500, "cfs-lock 'file-user_cfg' error: no quorum!", PveConflictException.class),
                Arguments.of(500, "cluster not ready - no quorum?", PveConflictException.class),
                Arguments.of(500, "VM 105 not running", PveConflictException.class),
                Arguments.of(500, "VM 105 is not running", PveConflictException.class),
                Arguments.of(500, "QEMU guest agent is not running", PveConflictException.class),
                Arguments.of(500, "No QEMU guest agent configured", PveConflictException.class),
                // server errors: pveproxy proxy (AnyEvent::HTTP 595/596), 501, 5xx, generic die
                Arguments.of(596, "Connection timed out", PveServerException.class),
                Arguments.of(596, "Broken pipe", PveServerException.class),
                Arguments.of(595, "Connection refused", PveServerException.class),
                Arguments.of(501, "Method 'GET /nodes/pve1/foo' not implemented", PveServerException.class),
                Arguments.of(500, "unable to open file '/etc/pve/nodes/pve1/qemu-server/105.conf.tmp.4242' - Input/output error",
                        PveServerException.class),
                Arguments.of(503, "", PveServerException.class),
                Arguments.of(0, "got unexpected control message", PveServerException.class),
                // unexpected statuses still get a type
                Arguments.of(418, "I'm a teapot", PveServerException.class));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("realMessages")
    void classifiesRealPveMessages(int status, String message, Class<? extends RuntimeException> expected) {
        RuntimeException e = PveErrorClassifier.classify(OP, status, message, Map.of());
        assertInstanceOf(expected, e);
        assertInstanceOf(PveError.class, e);
        assertTrue(e.getMessage().startsWith(OP + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    static Stream<Arguments> conflictReasons() {
        return Stream.of(
                Arguments.of("checksum mismatch (file change by other user?)", Reason.DIGEST_MISMATCH),
                Arguments.of("detected modified configuration - file change by other user? Try again.", Reason.DIGEST_MISMATCH),
                Arguments.of("VM is locked (backup)", Reason.LOCKED),
                Arguments.of("can't lock file '/var/lock/qemu-server/lock-105.conf' - got timeout", Reason.LOCK_TIMEOUT),
                Arguments.of("cfs-lock 'file-user_cfg' error: got lock request timeout", Reason.LOCK_TIMEOUT),
                Arguments.of("cfs-lock 'file-user_cfg' error: no quorum!", Reason.NO_QUORUM),
                Arguments.of("cluster not ready - no quorum?", Reason.NO_QUORUM),
                Arguments.of("VM 105 not running", Reason.VM_NOT_RUNNING),
                Arguments.of("VM 105 is not running", Reason.VM_NOT_RUNNING),
                Arguments.of("QEMU guest agent is not running", Reason.AGENT_NOT_RUNNING),
                Arguments.of("No QEMU guest agent configured", Reason.AGENT_NOT_CONFIGURED));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("conflictReasons")
    void namesTheConflictReason(String message, Reason reason) {
        PveConflictException e = (PveConflictException) PveErrorClassifier.classify(OP, 500, message, Map.of());
        assertEquals(reason, e.reason());
        assertTrue(e.getMessage().contains(reason.hint()), e.getMessage());
        assertEquals(3, e.exitCode());
    }

    @Nested
    class Permissions {
        @Test
        void parsesPathAndPrivilege() {
            PvePermissionException e = (PvePermissionException) PveErrorClassifier.classify(OP, 403,
                    "Permission check failed (/vms/105, VM.Config.Options)\n", Map.of());
            assertEquals("/vms/105", e.aclPath().orElseThrow());
            assertEquals(List.of("VM.Config.Options"), e.privileges());
            assertTrue(e.getMessage().contains("needs VM.Config.Options on /vms/105"), e.getMessage());
            assertEquals(3, e.exitCode());
        }

        @Test
        void listsAlternativePrivilegesOfCheckAny() {
            PvePermissionException e = (PvePermissionException) PveErrorClassifier.classify(OP, 403,
                    "Permission check failed (/vms/105, VM.Config.Disk|VM.Config.CDROM)", Map.of());
            assertEquals(List.of("VM.Config.Disk", "VM.Config.CDROM"), e.privileges());
            assertTrue(e.getMessage().contains("VM.Config.Disk or VM.Config.CDROM"), e.getMessage());
        }

        @Test
        void rootOnlyOptionsSayThatTokensAreNotRoot() {
            PvePermissionException e = (PvePermissionException) PveErrorClassifier.classify("PUT /nodes/pve1/qemu/105/config",
                    500, "only root can set 'hookscript' config", Map.of());
            assertEquals(List.of(PvePermissionException.ROOT_PAM), e.privileges());
            assertTrue(e.getMessage().contains("only the user root@pam"), e.getMessage());
        }

        @Test
        void permissionWithoutDetailHasNoPrivileges() {
            PvePermissionException e = (PvePermissionException) PveErrorClassifier.classify(OP, 403, "Permission check failed", Map.of());
            assertTrue(e.privileges().isEmpty());
            assertTrue(e.aclPath().isEmpty());
        }
    }

    @Nested
    class Parameters {
        @Test
        void keepsTheFieldMapAndMapsToExitTwo() {
            PveParameterException e = (PveParameterException) PveErrorClassifier.classify("PUT /nodes/pve1/qemu/105/config", 400,
                    "Parameter verification failed.", Map.of("startdate", "value does not match the regex pattern"));
            assertEquals(Map.of("startdate", "value does not match the regex pattern"), e.fieldErrors());
            assertEquals(TimeShiftException.INVALID_INPUT, e.exitCode());
            assertEquals("PUT /nodes/pve1/qemu/105/config: Parameter verification failed. startdate: value does not match the regex pattern",
                    e.getMessage());
        }

        @Test
        void aDigestFieldErrorIsAConflictNotBadInput() {
            RuntimeException e = PveErrorClassifier.classify(OP, 400, "Parameter verification failed.",
                    Map.of("digest", "detected modified configuration - file change by other user? Try again."));
            assertEquals(Reason.DIGEST_MISMATCH, ((PveConflictException) e).reason());
        }
    }

    @Nested
    class NegativeAndOddInput {
        @Test
        void nullMessageAndNullErrorsStillClassify() {
            RuntimeException e = PveErrorClassifier.classify(OP, 500, null, null);
            assertInstanceOf(PveServerException.class, e);
            assertTrue(e.getMessage().contains("Internal Server Error"), e.getMessage());
        }

        @Test
        void aVmNamedLockedIsNotAConflict() {
            // a VM name or note mentioning "locked" must not match: the pattern needs "VM is locked (x)"
            RuntimeException e = PveErrorClassifier.classify(OP, 500, "unable to parse value of 'name' - 'vm-is-locked' ...", Map.of());
            assertInstanceOf(PveServerException.class, e);
        }

        @Test
        void matchingIsCaseSensitiveAsPveWritesIt() {
            assertInstanceOf(PveServerException.class, PveErrorClassifier.classify(OP, 500, "CHECKSUM MISMATCH", Map.of()));
            assertInstanceOf(PveServerException.class, PveErrorClassifier.classify(OP, 500, "vm 105 NOT RUNNING", Map.of()));
        }

        @Test
        void onlyTheFirstLineIsShown() {
            RuntimeException e = PveErrorClassifier.classify(OP, 500, "first line\nsecond line\n", Map.of());
            assertEquals(OP + ": server error 500: first line", e.getMessage());
        }

        @Test
        void transientServerErrorsAreRetryableExcept501AndPveshDies() {
            assertTrue(((PveServerException) PveErrorClassifier.classify(OP, 596, "Connection timed out", Map.of())).isTransient());
            assertTrue(((PveServerException) PveErrorClassifier.classify(OP, 500, "oops", Map.of())).isTransient());
            assertFalse(((PveServerException) PveErrorClassifier.classify(OP, 501, "not implemented", Map.of())).isTransient());
            assertFalse(((PveServerException) PveErrorClassifier.classify(OP, 0, "oops", Map.of())).isTransient());
            assertFalse(((PveServerException) PveErrorClassifier.classify(OP, 418, "teapot", Map.of())).isTransient());
        }
    }
}
