package io.timeshift.host.admin;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Who the audit log names: the sudo user, else the login user, else root (apply uses the same). */
class ActorTest {
    @Test
    void aBlankSudoUserFallsBackToTheLoginUser() {
        assertEquals("alice", Actor.of(Map.of("SUDO_USER", "", "USER", "alice")));
        assertEquals("bob", Actor.of(Map.of("SUDO_USER", "bob", "USER", "root")));
        assertEquals("root", Actor.of(Map.of()));
    }
}
