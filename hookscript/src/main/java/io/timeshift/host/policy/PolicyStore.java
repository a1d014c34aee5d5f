package io.timeshift.host.policy;

import io.timeshift.common.error.InvalidInputException;

import io.timeshift.host.env.HostPaths;
import io.timeshift.host.io.AtomicFiles;
import io.timeshift.host.io.Json;
import io.timeshift.common.error.EnvironmentException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads and writes the cluster-wide policy files under {@code <pve>/time-shift/}. */
public final class PolicyStore {
    private final HostPaths paths;

    public PolicyStore(HostPaths paths) {
        this.paths = paths;
    }

    public Path file(int vmid) {
        return paths.policyFile(vmid);
    }

    /** Raw text, or empty when the VM has no policy. */
    public Optional<String> readText(int vmid) {
        Path f = paths.policyFile(vmid);
        try {
            return Optional.of(Files.readString(f, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new io.timeshift.common.error.InvalidInputException(f + ": not valid UTF-8 (re-create it with time-shift enable "
                    + vmid + ", or fix the file)");
        } catch (IOException e) {
            throw new EnvironmentException(AtomicFiles.describe("cannot read policy", f, e), e);
        }
    }

    /** The validated policy, or empty when the VM has none; an invalid file is exit 2. */
    public Optional<Policy> read(int vmid) {
        Optional<String> text = readText(vmid);
        return text.isEmpty() ? Optional.empty() : Optional.of(PolicyParser.parse(text.get(), vmid, paths.policyFile(vmid).toString()));
    }

    public void write(Policy p) {
        AtomicFiles.write(paths.policyFile(p.vmid()), Json.pretty(p.toJson()), AtomicFiles.MODE_0640);
    }

    public void delete(int vmid) {
        try {
            Files.deleteIfExists(paths.policyFile(vmid));
            Files.deleteIfExists(paths.clockMirror(vmid));
        } catch (IOException e) {
            throw new EnvironmentException(AtomicFiles.describe("cannot delete policy", paths.policyFile(vmid), e), e);
        }
    }

    /** VMIDs that have a policy file (sorted). */
    public List<Integer> vmids() {
        List<Integer> out = new ArrayList<>();
        Path dir = paths.policyDir();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (var s = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : s) {
                String n = p.getFileName().toString();
                String base = n.substring(0, n.length() - 5);
                if (base.matches("[1-9]\\d{2,8}")) {
                    out.add(Integer.parseInt(base));
                }
            }
        } catch (IOException e) {
            throw new EnvironmentException(AtomicFiles.describe("cannot list", dir, e), e);
        }
        out.sort(null);
        return out;
    }
}
