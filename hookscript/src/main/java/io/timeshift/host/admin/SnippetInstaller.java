package io.timeshift.host.admin;

import io.timeshift.host.hook.SnippetPaths;
import io.timeshift.host.hook.VolumeIds;
import io.timeshift.host.io.AtomicFiles;
import io.timeshift.host.vmconfig.ConfigEdits;
import io.timeshift.pve.api.StorageConfig;
import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.InvalidInputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds, checks and installs the hook snippet {@code <storage>:snippets/time-shift-hook}. Proxmox checks
 * {@code -f} and {@code -x} of the resolved path at every hook run and when {@code hookscript} is set
 * (docs/pve-facts.md §3), and snippets cannot be uploaded through the API, so the file is written here directly.
 *
 * <p>Source of the file, in order: from a checkout (the launcher {@code bin/time-shift} exports
 * {@code TIME_SHIFT_LAUNCHER}) the checkout's {@code packaging/snippets/time-shift-hook} with
 * {@code /usr/bin/time-shift} replaced by that launcher, or a two-line {@code exec <launcher> hook}
 * script; otherwise the installed copy {@code /usr/share/time-shift/time-shift-hook}.
 */
public final class SnippetInstaller {
    public static final Path INSTALLED_COPY = Path.of("/usr/share/time-shift/time-shift-hook");
    public static final Set<String> SNIPPET_TYPES = Set.of("dir", "nfs", "cifs", "cephfs", "btrfs");
    private static final Set<PosixFilePermission> MODE_0755 = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9/._+-]+");

    private final Path pveDir;
    private final Map<String, String> env;
    private final Path installedCopy;

    public SnippetInstaller(Path pveDir, Map<String, String> env, Path installedCopy) {
        this.pveDir = pveDir;
        this.env = env;
        this.installedCopy = installedCopy;
    }

    /** Where {@code volid} lives on this node; exit 2 when the storage cannot hold snippets. */
    public Path path(String volid, StorageConfig storage) {
        if (storage != null && !storage.type().isEmpty() && !SNIPPET_TYPES.contains(storage.type())) {
            throw new InvalidInputException("storage '" + storage.storage() + "' (type " + storage.type()
                    + ") cannot hold snippets; use --storage local or another dir/nfs/cifs/cephfs/btrfs storage");
        }
        Path p = locate(volid, pveDir, storage);
        if (p == null) {
            throw new EnvironmentException("cannot find the directory of " + volid + " on this node; check with: pvesm path "
                    + volid);
        }
        return p;
    }

    /**
     * Where {@code volid} lives on this node: from {@code storage.cfg} under {@code pveDir}, else under the
     * storage's {@code path} and {@code content-dirs} as the API gave them (when given); null when neither tells.
     */
    static Path locate(String volid, Path pveDir, StorageConfig storage) {
        Path p = SnippetPaths.resolve(volid, pveDir);
        String name = VolumeIds.snippetName(volid);
        if (p == null && name != null && storage != null && storage.path().isPresent()) {
            p = SnippetPaths.file(storage.path().get(), storage.contentDirs().get("snippets"), name);
        }
        return p;
    }

    /** What is wrong with a snippet file; {@link #toString} is the text the messages print. */
    public enum Problem {
        MISSING("missing"),
        NOT_EXECUTABLE("not executable");

        private final String text;

        Problem(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** Null when the snippet at {@code path} is usable, else what is wrong. */
    public static Problem problem(Path path) {
        if (!Files.isRegularFile(path)) {
            return Problem.MISSING;
        }
        if (!Files.isExecutable(path)) {
            return Problem.NOT_EXECUTABLE;
        }
        return null;
    }

    /** The content to install, and where it came from (for the message). */
    public record Source(String description, byte[] content) {
    }

    public Source source() {
        String launcher = env.get("TIME_SHIFT_LAUNCHER");
        if (launcher != null && !launcher.isBlank() && !launcher.equals("/usr/bin/time-shift")) {
            Path l = Path.of(launcher).toAbsolutePath();
            String quoted = SHELL_SAFE.matcher(l.toString()).matches() ? l.toString() : "'" + l.toString().replace("'", "'\\''") + "'";
            Path repo = l.getParent() == null ? null : l.getParent().getParent();
            Path packaged = repo == null ? null : repo.resolve("packaging/snippets/" + ConfigEdits.SNIPPET);
            if (packaged != null && Files.isRegularFile(packaged)) {
                try {
                    String text = Files.readString(packaged, StandardCharsets.UTF_8).replace("/usr/bin/time-shift", quoted);
                    return new Source(packaged + " (pointing at " + l + ")", text.getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new EnvironmentException("cannot read " + packaged + ": " + e.getMessage(), e);
                }
            }
            String text = "#!/bin/sh\nexec " + quoted + " hook \"$@\"\n";
            return new Source("a two-line script running " + l, text.getBytes(StandardCharsets.UTF_8));
        }
        if (Files.isRegularFile(installedCopy)) {
            try {
                return new Source(installedCopy.toString(), Files.readAllBytes(installedCopy));
            } catch (IOException e) {
                throw new EnvironmentException("cannot read " + installedCopy + ": " + e.getMessage(), e);
            }
        }
        throw new EnvironmentException("no copy of the hook snippet to install (" + installedCopy
                + " is missing); reinstall the package: apt install --reinstall time-shift-proxmox");
    }

    /** Writes the snippet (atomically, mode 0755). */
    public void install(Path path, Source source) {
        AtomicFiles.write(path, source.content(), MODE_0755);
        if (!Files.isExecutable(path)) {
            throw new EnvironmentException("installed " + path + " but it is not executable (noexec mount?); fix: chmod 0755 "
                    + path);
        }
    }

    /** Adds the x bits to an existing snippet. */
    public static void makeExecutable(Path path) {
        try {
            Files.setPosixFilePermissions(path, MODE_0755);
        } catch (IOException e) {
            throw new EnvironmentException("cannot chmod 0755 " + path + ": " + e.getMessage(), e);
        }
    }
}
