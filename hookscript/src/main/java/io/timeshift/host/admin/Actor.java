package io.timeshift.host.admin;

import java.util.Map;

/** Who runs an admin command, for the audit log: the sudo user if any, else the login user, else root. */
public final class Actor {
    private Actor() {
    }

    public static String of(Map<String, String> env) {
        String u = env.get("SUDO_USER");
        if (u == null || u.isBlank()) {
            u = env.get("USER");
        }
        return u == null || u.isBlank() ? "root" : u;
    }
}
