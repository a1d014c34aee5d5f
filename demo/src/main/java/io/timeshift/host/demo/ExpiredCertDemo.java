package io.timeshift.host.demo;

import io.timeshift.common.text.Sanitizer;

import io.timeshift.common.error.EnvironmentException;
import io.timeshift.common.error.InvalidInputException;
import io.timeshift.common.error.TimeShiftException;
import io.timeshift.pve.qga.ExecResult;
import io.timeshift.pve.qga.QgaClient;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The outcome a jump VM is for, shown in {@code time-shift demo --guest debian}: an old BMC's
 * certificate, expired in real time, accepted inside the shifted guest. As the jumpvm tests do it: the
 * host's openssl makes a CA and a server certificate valid only in a window around the demo's date
 * and ended before today; the host's own {@code openssl verify} refuses them as expired; inside the
 * guest (through the agent, argv only, no shell) {@code openssl s_server} serves them on 127.0.0.1 (the
 * VM has no network, as in the tests) and {@code openssl s_client -verify_return_error} connects and
 * verifies the chain against the guest's shifted clock.
 */
public final class ExpiredCertDemo {
    private static final DateTimeFormatter ASN1 = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Duration EXEC = Duration.ofSeconds(120);
    private static final String GUEST_DIR = "/root/time-shift-demo-pki";

    private final PrintWriter out;
    private final Path dir;

    ExpiredCertDemo(PrintWriter out, Path dir) {
        this.out = out;
        this.dir = dir;
    }

    /** The certificate window for {@code date}: it must lie in the past, so the certificate is expired today. */
    public record Window(Instant caFrom, Instant caTo, Instant srvFrom, Instant srvTo) {
    }

    /**
     * A CA valid from a year before {@code date} and a server certificate from half a year before, both
     * ending half a year after it or a day before {@code now}, whichever is earlier.
     *
     * @throws InvalidInputException when {@code date} is too recent for a certificate valid then and expired now
     */
    public static Window window(Instant date, Instant now) {
        Instant lastDay = now.minus(Duration.ofDays(1));
        if (date.isAfter(lastDay.minus(Duration.ofHours(1)))) {
            throw new InvalidInputException("--date " + date + ": --guest debian shows a certificate valid at that date and expired"
                    + " today, so the date must be at least 2 days in the past (e.g. --date 2021-03-01T12:00:00Z)");
        }
        Instant srvTo = min(date.plus(Duration.ofDays(183)), lastDay);
        Instant caTo = min(date.plus(Duration.ofDays(365)), lastDay);
        return new Window(date.minus(Duration.ofDays(365)), caTo, date.minus(Duration.ofDays(183)), srvTo);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** @return true when the guest accepted the chain and the host refused it as expired */
    boolean run(QgaClient agent, Window w) throws IOException, InterruptedException {
        out.println();
        out.println("An old BMC's certificate: CA valid " + day(w.caFrom()) + " .. " + day(w.caTo()) + ", server certificate "
                + day(w.srvFrom()) + " .. " + day(w.srvTo()) + " (both expired today)");
        makePki(dir, w);
        Proc host = host(dir, "openssl", "verify", "-CAfile", "ca.pem", "srv.pem");
        String hostSays = firstLineWith(host.out + host.err, "expired", "error");
        out.println("  host  $ openssl verify -CAfile ca.pem srv.pem   -> exit " + host.code + (hostSays.isEmpty() ? "" : ": " + hostSays));
        out.flush();

        run(agent, "/usr/bin/mkdir", "-p", GUEST_DIR);
        for (String f : List.of("ca.pem", "srv.pem", "srv.key")) {
            agent.writeFile(GUEST_DIR + "/" + f, Files.readAllBytes(dir.resolve(f)));
        }
        ExecResult verify = run(agent, "/usr/bin/openssl", "verify", "-CAfile", GUEST_DIR + "/ca.pem", GUEST_DIR + "/srv.pem");
        out.println("  guest $ openssl verify -CAfile ca.pem srv.pem   -> exit " + verify.exitCode() + ": "
                + firstLineWith(verify.out() + verify.err(), "OK", "error"));
        // the BMC: a TLS server in the guest on 127.0.0.1 (no network), one connection, then it exits
        agent.exec("/usr/bin/openssl", List.of("s_server", "-accept", "127.0.0.1:4433", "-cert", GUEST_DIR + "/srv.pem", "-key",
                GUEST_DIR + "/srv.key", "-naccept", "1", "-quiet"), false);
        ExecResult client = null;
        for (int i = 0; i < 50; i++) {
            client = run(agent, "/usr/bin/openssl", "s_client", "-connect", "127.0.0.1:4433", "-CAfile", GUEST_DIR + "/ca.pem",
                    "-verify_return_error", "-brief");
            if (!(client.out() + client.err()).contains("Connection refused")) {
                break;
            }
            Thread.sleep(300);
        }
        String all = client.out() + client.err();
        out.println("  guest $ openssl s_client -connect 127.0.0.1:4433 -CAfile ca.pem -verify_return_error   -> exit "
                + client.exitCode() + ": " + firstLineWith(all, "Verification", "error", "Protocol"));
        boolean accepted = client.exitCode() == 0 && all.contains("Verification: OK") && verify.ok();
        boolean refused = host.code != 0 && (host.out + host.err).contains("expired");
        out.println(accepted && refused
                ? "  -> expired on the host, accepted in the shifted guest: the console would connect"
                : "  -> not the expected outcome (host refused: " + refused + ", guest accepted: " + accepted + ")");
        out.flush();
        return accepted && refused;
    }

    private static String day(Instant t) {
        return t.toString().substring(0, 10);
    }

    private static ExecResult run(QgaClient agent, String path, String... args) {
        try {
            return agent.run(EXEC, path, args);
        } catch (TimeShiftException e) {
            throw new EnvironmentException("demo: " + path + " in the guest failed: " + e.getMessage(), e);
        }
    }

    /**
     * An old BMC's PKI in {@code dir}, made by the host's openssl: {@code ca.pem} (+ {@code ca.key}) valid
     * over {@code w.caFrom()..caTo()}, and {@code srv.pem} + {@code srv.key} for {@code CN=localhost}
     * (SAN IP:127.0.0.1, DNS:localhost) over {@code w.srvFrom()..srvTo()}, signed by it. Also the jumpvm
     * module's expired-certificate scenario.
     */
    public static void makePki(Path dir, Window w) throws IOException, InterruptedException {
        Files.writeString(dir.resolve("index.txt"), "");
        Files.writeString(dir.resolve("serial"), "1000\n");
        Files.writeString(dir.resolve("ca.cnf"), String.join("\n",
                "[ ca ]", "default_ca = CA_default",
                "[ CA_default ]", "dir = " + dir, "database = $dir/index.txt", "new_certs_dir = $dir", "serial = $dir/serial",
                "default_md = sha256", "policy = policy_any", "unique_subject = no",
                "[ policy_any ]", "commonName = supplied",
                "[ v3_ca ]", "basicConstraints = critical,CA:true", "keyUsage = critical,keyCertSign,cRLSign",
                "subjectKeyIdentifier = hash",
                "[ v3_srv ]", "basicConstraints = critical,CA:false", "keyUsage = critical,digitalSignature,keyEncipherment",
                "extendedKeyUsage = serverAuth", "subjectAltName = IP:127.0.0.1,DNS:localhost",
                "authorityKeyIdentifier = keyid", ""));
        ok(host(dir, "openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-subj", "/CN=Old BMC CA",
                "-out", "ca.csr"));
        ok(host(dir, "openssl", "ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile", "ca.key", "-in", "ca.csr",
                "-extensions", "v3_ca", "-startdate", ASN1.format(w.caFrom()), "-enddate", ASN1.format(w.caTo()), "-notext",
                "-out", "ca.pem"));
        ok(host(dir, "openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-subj", "/CN=localhost",
                "-out", "srv.csr"));
        ok(host(dir, "openssl", "ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-in", "srv.csr",
                "-extensions", "v3_srv", "-startdate", ASN1.format(w.srvFrom()), "-enddate", ASN1.format(w.srvTo()), "-notext",
                "-out", "srv.pem"));
    }

    private record Proc(int code, String out, String err, String cmd) {
    }

    private static void ok(Proc p) {
        if (p.code != 0) {
            throw new EnvironmentException("demo: " + p.cmd + " failed (exit " + p.code + "): "
                    + (p.err + p.out).strip().lines().reduce((a, b) -> b).orElse(""));
        }
    }

    private static Proc host(Path dir, String... cmd) throws IOException, InterruptedException {
        if (GuestImage.onPath(cmd[0]) == null) {
            throw new EnvironmentException("demo --guest debian: " + cmd[0] + " not found on PATH (package openssl)");
        }
        Path o = Files.createTempFile(dir, "cmd", ".out");
        Path e = Files.createTempFile(dir, "cmd", ".err");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(o.toFile()).redirectError(e.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new EnvironmentException("demo: " + String.join(" ", cmd) + " did not finish within 60 s");
        }
        return new Proc(p.exitValue(), Files.readString(o, StandardCharsets.UTF_8), Files.readString(e, StandardCharsets.UTF_8),
                String.join(" ", List.of(cmd).subList(0, Math.min(2, cmd.length))));
    }

    /** The first line containing one of {@code words} (in that order of preference), else the first line. */
    static String firstLineWith(String text, String... words) {
        List<String> lines = new ArrayList<>(text.strip().lines().toList());
        for (String w : words) {
            for (String l : lines) {
                if (l.contains(w)) {
                    return io.timeshift.common.text.Sanitizer.value(l.strip());
                }
            }
        }
        return lines.isEmpty() ? "" : io.timeshift.common.text.Sanitizer.value(lines.get(0).strip());
    }
}
