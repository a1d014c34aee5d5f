package io.timeshift.host.cluster;

import io.timeshift.common.error.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Option combinations of --remote: each refusal names the option and the valid form (exit 2). */
class RemoteSpecTest {
    private static final String URL = "https://pve1:8006";
    private static final Path F = Path.of("/root/f");

    private static String refusal(RemoteSpec s) {
        return assertThrows(InvalidInputException.class, s::validate).getMessage();
    }

    @Test
    void tokenAndUserExcludeEachOther() {
        assertTrue(refusal(new RemoteSpec(URL, F, "root@pam", F, null, null, false)).contains("--token-file and --user"));
    }

    @Test
    void aUserNeedsAPasswordFileNeverAnArgument() {
        assertTrue(refusal(new RemoteSpec(URL, null, "root@pam", null, null, null, false)).contains("--password-file"));
    }

    @Test
    void onlyOneWayToTrustTheCertificate() {
        assertTrue(refusal(new RemoteSpec(URL, F, null, null, F, "AB", false)).contains("exclude each other"));
        assertTrue(refusal(new RemoteSpec(URL, F, null, null, null, "AB", true)).contains("exclude each other"));
    }

    @Test
    void remoteOptionsWithoutRemoteNameTheOption() {
        assertTrue(refusal(new RemoteSpec(null, null, null, null, F, null, false)).startsWith("--ca needs --remote"));
    }

    @Test
    void localNeedsNothing() {
        RemoteSpec.LOCAL.validate();
    }
}
