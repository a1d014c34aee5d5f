package io.timeshift.guest.cli;

import io.timeshift.guest.Finding;
import io.timeshift.guest.clock.VerifyReport;
import io.timeshift.guest.plan.PlanReport;
import io.timeshift.guest.tls.CertificateInfo;
import io.timeshift.guest.tls.JdkConstraints;
import io.timeshift.guest.tls.ProbeResult;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Text output that reads like a diagnosis: a headline per target, the facts, then one line per
 * problem with its fix after the arrow. ASCII only (guests often run with LANG=C).
 */
final class Text {
    private Text() {
    }

    static void probe(List<ProbeResult> results, Instant at, PrintWriter out) {
        int notOk = 0;
        for (int n = 0; n < results.size(); n++) {
            ProbeResult r = results.get(n);
            if (n > 0) {
                out.println();
            }
            if (!r.ok()) {
                notOk++;
            }
            out.println(r.target() + ": " + headline(r));
            if (!r.reachable()) {
                problems(r.findings(), out);
                continue;
            }
            List<String> yes = new ArrayList<>();
            List<String> no = new ArrayList<>();
            for (Map.Entry<String, Boolean> e : r.protocols().entrySet()) {
                (e.getValue() ? yes : no).add(e.getKey());
            }
            line(out, "protocols", String.join(", ", yes) + " accepted" + (no.isEmpty() ? "" : "; " + String.join(", ", no) + " refused"));
            line(out, "suites", String.join(", ", r.cipherSuites()));
            for (int i = 0; i < r.certificates().size(); i++) {
                CertificateInfo c = r.certificates().get(i);
                line(out, "cert " + i, c.subject() + (c.selfSigned() ? " (self-signed)" : "; issuer " + c.issuer()));
                line(out, "", c.keyAlgorithm() + " " + c.keyBits() + " bits, " + c.signatureAlgorithm() + ", valid "
                        + c.notBefore() + " .. " + c.notAfter() + ", serial " + c.serial());
                line(out, "", "sha256 " + c.sha256());
            }
            if (r.validNow() != null) {
                line(out, "valid", "now: " + (r.validNow() ? "yes" : "no")
                        + (at != null && r.validAt() != null ? "; at " + at + ": " + (r.validAt() ? "yes" : "no") : ""));
            }
            line(out, "client cert", r.clientCertRequested() ? "requested" + (ProbeResult.CLIENT_REJECTED.equals(r.verdict()) ? " and required" : "") : "not requested");
            problems(r.findings(), out);
            for (String note : r.notes()) {
                line(out, "note", note);
            }
            if (r.error() != null) {
                line(out, "note", r.error());
            }
            for (String relax : r.relaxations()) {
                line(out, "relax", label(relax) + relax);
            }
        }
        if (results.size() > 1) {
            out.println();
            out.println(results.size() + " targets: " + (results.size() - notOk) + " ok, " + notOk + " not ok");
        }
    }

    private static String headline(ProbeResult r) {
        return switch (r.verdict()) {
            case ProbeResult.OK -> "ok";
            case ProbeResult.UNREACHABLE -> "unreachable";
            case ProbeResult.CLIENT_REJECTED -> "client-rejected: the server refuses this client; a time shift cannot help";
            case ProbeResult.WEAK_CRYPTO -> r.relaxations().isEmpty()
                    ? "weak-crypto: see the problems below; a time shift does not help"
                    : "weak-crypto: a client setting helps (see relax), a time shift does not";
            default -> r.verdict() + (r.timeShiftHelps() ? ": a time shift helps" : ": a time shift does not help")
                    + (r.relaxations().isEmpty() ? "" : " (client settings needed too, see relax)");
        };
    }

    private static String label(String relaxation) {
        if (relaxation.startsWith(JdkConstraints.TLS) || relaxation.startsWith(JdkConstraints.CERTPATH)) {
            return "Java (java.security, or -Djava.security.properties=<file>): ";
        }
        if (relaxation.startsWith("security.")) {
            return "Firefox about:config: ";
        }
        return "OpenSSL (openssl.cnf [system_default_sect]; curl, Python): ";
    }

    static void plan(PlanReport report, PrintWriter out) {
        for (PlanReport.TargetWindow t : report.targets()) {
            String what = t.window() != null ? t.window().notBefore() + " .. " + t.window().notAfter()
                    : t.error() != null ? "unknown: " + t.error() : "none (its chain has no common date)";
            line(out, "target", t.target() + ": " + what);
        }
        for (PlanReport.Conflict c : report.conflicts()) {
            line(out, "conflict", String.join(" <-> ", c.targets()) + ": " + c.reason()
                    + (c.targets().size() > 1 ? " -> fix: put them in separate VMs" : " -> fix: renew its certificate"));
        }
        if (report.window() != null) {
            line(out, "window", report.window().notBefore() + " .. " + report.window().notAfter());
            line(out, "suggested", report.suggested() + " -> time-shift enable <vmid> --date " + report.suggested());
        } else if (report.anyUnreachable()) {
            line(out, "window", "unknown: a target could not be probed");
        } else {
            line(out, "window", "none: no single date satisfies every target -> split the conflicting targets across VMs");
        }
    }

    static void verify(VerifyReport r, PrintWriter out) {
        if (r.expected() != null) {
            line(out, "clock", r.now() + ", expected " + r.expected() + " (" + ("rtc".equals(r.expectedSource()) ? "RTC" : r.expectedSource())
                    + "), drift " + (r.driftMs() >= 0 ? "+" : "") + r.driftMs() + " ms, tolerance " + r.tolerance()
                    + (Boolean.TRUE.equals(r.inTolerance()) ? ": ok" : ": OUT OF TOLERANCE"));
        } else {
            line(out, "clock", r.now() + " (nothing to compare with)");
        }
        VerifyReport.TimeSync ts = r.timeSync();
        if (ts.error() != null) {
            line(out, "time sync", "unknown (" + ts.error() + ")");
        } else if (ts.units().isEmpty()) {
            line(out, "time sync", "none installed");
        } else {
            List<String> parts = new ArrayList<>();
            for (VerifyReport.Unit u : ts.units()) {
                parts.add(u.unit() + " " + (u.active() ? "active" : "inactive") + ", " + (u.enabled() ? "enabled" : "disabled"));
            }
            line(out, "time sync", String.join("; ", parts) + (ts.policy().equals("keep") ? " (policy: keep)" : ""));
        }
        if (r.systemdEpoch() != null) {
            line(out, "epoch", "systemd advances a clock earlier than " + r.systemdEpoch().epoch() + " (" + r.systemdEpoch().source() + ")"
                    + (r.systemdEpoch().bumpAtNextBoot() ? ": it WILL at next boot" : ": not a risk here")
                    + "; hold unit " + (r.systemdEpoch().holdUnitEnabled() == null ? "unknown"
                    : r.systemdEpoch().holdUnitEnabled() ? "enabled" : "not enabled"));
        }
        problems(r.findings(), out);
        for (String n : r.notes()) {
            line(out, "note", n);
        }
        line(out, "result", r.ok() ? "ok" : r.findings().size() + (r.findings().size() == 1 ? " problem" : " problems"));
    }

    private static void problems(List<Finding> findings, PrintWriter out) {
        for (Finding f : findings) {
            line(out, "problem", f.problem() + " -> fix: " + f.fix());
        }
    }

    private static void line(PrintWriter out, String label, String text) {
        out.println(String.format("  %-12s %s", label.isEmpty() ? "" : label + ":", text));
    }
}
