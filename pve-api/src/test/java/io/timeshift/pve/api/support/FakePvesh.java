package io.timeshift.pve.api.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A fake {@code pvesh}: a small sh script in a temp dir that records its argv (NUL-separated, so
 * arguments with spaces or newlines survive), then replays scripted stdout, stderr and exit code.
 * Put {@link #binDir()} first on the transport's PATH.
 */
public final class FakePvesh {
    private final Path bin;
    private final Path state;

    public FakePvesh(Path tempDir) {
        try {
            this.bin = Files.createDirectories(tempDir.resolve("bin"));
            this.state = Files.createDirectories(tempDir.resolve("state"));
            Path script = bin.resolve("pvesh");
            String s = "#!/bin/sh\n"
                    + "# fake pvesh for tests: record argv, replay output\n"
                    + "for a in \"$0\" \"$@\"; do printf '%s\\0' \"$a\"; done > '" + state.resolve("argv") + "'\n"
                    + "env > '" + state.resolve("env") + "'\n"
                    + "if [ -f '" + state.resolve("sleep") + "' ]; then exec sleep \"$(cat '" + state.resolve("sleep") + "')\"; fi\n"
                    + "cat '" + state.resolve("stdout") + "'\n"
                    + "cat '" + state.resolve("stderr") + "' >&2\n"
                    + "exit \"$(cat '" + state.resolve("exit") + "')\"\n";
            Files.writeString(script, s, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            replay("", "", 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path binDir() {
        return bin;
    }

    public Path executable() {
        return bin.resolve("pvesh");
    }

    /** What the next runs print and return. */
    public FakePvesh replay(String stdout, String stderr, int exitCode) {
        try {
            Files.writeString(state.resolve("stdout"), stdout, StandardCharsets.UTF_8);
            Files.writeString(state.resolve("stderr"), stderr, StandardCharsets.UTF_8);
            Files.writeString(state.resolve("exit"), Integer.toString(exitCode), StandardCharsets.UTF_8);
            Files.deleteIfExists(state.resolve("sleep"));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next runs sleep this many seconds instead of answering. */
    public FakePvesh hang(int seconds) {
        try {
            Files.writeString(state.resolve("sleep"), Integer.toString(seconds), StandardCharsets.UTF_8);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** argv of the last run, argv[0] included. */
    public List<String> lastArgv() {
        try {
            String raw = Files.readString(state.resolve("argv"), StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            for (String a : raw.split("\0", -1)) {
                out.add(a);
            }
            out.remove(out.size() - 1); // trailing NUL
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The environment of the last run, as printed by env. */
    public String lastEnv() {
        try {
            return Files.readString(state.resolve("env"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
