package io.timeshift.pve.api.transport;

import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Reads secret files (API token, password). A file that group or others may access is refused,
 * as ssh does with private keys: a secret readable by others is already leaked. One trailing
 * newline is removed (contract: "Secret files may end with one newline").
 */
public final class SecretFiles {
    private static final Set<PosixFilePermission> GROUP_OTHER = Set.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private SecretFiles() {
    }

    /**
     * @param file the secret file
     * @param what what it holds, for messages ("token file", "password file")
     * @throws InvalidInputException if it is missing, empty or accessible by group/other
     */
    public static Secret readOwnerOnly(Path file, String what) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.stream().anyMatch(GROUP_OTHER::contains)) {
                throw new InvalidInputException(what + " " + file + " is accessible by group/other (mode "
                        + mode(perms) + "); it holds a secret: run chmod 600 " + file);
            }
            String s = Files.readString(file, StandardCharsets.UTF_8);
            if (s.endsWith("\r\n")) {
                s = s.substring(0, s.length() - 2);
            } else if (s.endsWith("\n")) {
                s = s.substring(0, s.length() - 1);
            }
            if (s.isEmpty()) {
                throw new InvalidInputException(what + " " + file + " is empty");
            }
            if (s.contains("\n")) {
                throw new InvalidInputException(what + " " + file + " must hold one line (it has several)");
            }
            return Secret.of(s);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(what + " " + file + " does not exist");
        } catch (UnsupportedOperationException e) {
            throw new EnvironmentException("cannot check the permissions of " + what + " " + file
                    + ": the file system has no POSIX permissions");
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    static String mode(Set<PosixFilePermission> perms) {
        int m = 0;
        for (PosixFilePermission p : perms) {
            m |= 1 << (8 - p.ordinal());
        }
        return String.format("%04o", m);
    }
}
