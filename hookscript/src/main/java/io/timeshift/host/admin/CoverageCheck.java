package io.timeshift.host.admin;

import io.timeshift.common.error.TimeShiftException;
import io.timeshift.host.cluster.SnippetCoverage;
import io.timeshift.pve.api.PveClient;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The snippet reaches every node that runs a VM: {@link SnippetCoverage} for our hookscript's volumes
 * (those on a usable storage; an unusable one's fix comes first) as doctor checks. A missing or unusable
 * snippet is a problem with its fix; a node offline or a listing the caller may not see is a note.
 */
final class CoverageCheck extends DoctorCheck.WithNotes {
    private final boolean answered;
    private final Supplier<PveClient> opener;
    private final PveClient client;
    private final Set<String> volids;
    private final StorageLookups storages;
    private final String skipNode;

    private CoverageCheck(boolean answered, Supplier<PveClient> opener, PveClient client, Collection<String> volids,
                          StorageLookups storages, String skipNode) {
        this.answered = answered;
        this.opener = opener;
        this.client = client;
        this.volids = Collections.unmodifiableSet(new LinkedHashSet<>(volids));
        this.storages = storages;
        this.skipNode = skipNode;
    }

    /**
     * On a node: every other node (this node's files are checked directly), listed as root@pam (PVE lists
     * snippet volumes only to root or with Datastore.Allocate).
     *
     * @param answered whether this node's API answered (else nothing is asked, a note says so)
     * @param root     opens root@pam's client; closed after
     * @param node     this node, skipped
     */
    static CoverageCheck fromNode(boolean answered, Supplier<PveClient> root, Collection<String> volids, StorageLookups storages,
                                  String node) {
        return new CoverageCheck(answered, root, null, volids, storages, node);
    }

    /** Through {@code --remote}: every online node, through {@code client} (not closed here). */
    static CoverageCheck cluster(PveClient client, Collection<String> volids, StorageLookups storages) {
        return new CoverageCheck(true, null, client, volids, storages, null);
    }

    @Override
    public Outcome outcome() {
        List<DoctorService.Check> checks = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (!answered) {
            notes.add("the snippet on the other nodes was not checked: Proxmox did not answer");
            return new Outcome(checks, notes, List.of());
        }
        Set<String> usable = storages.usable(volids);
        if (usable.isEmpty() || opener == null) {
            coverage(client, usable, checks, notes);
        } else {
            try (PveClient asRoot = opener.get()) {
                coverage(asRoot, usable, checks, notes);
            } catch (TimeShiftException e) {
                checks.add(DoctorService.bad("coverage", "cannot ask Proxmox as root@pam for the snippets of the other nodes: "
                        + ErrorLine.of(e), "run time-shift doctor as root on a Proxmox VE node"));
            }
        }
        return new Outcome(checks, notes, List.of());
    }

    private void coverage(PveClient with, Collection<String> usable, List<DoctorService.Check> checks, List<String> notes) {
        if (usable.isEmpty()) {
            notes.add("no VM with a policy runs the time-shift snippet from a usable storage: the other nodes were not"
                    + " checked for it");
            return;
        }
        SnippetCoverage.Report report;
        try {
            report = new SnippetCoverage(with).check(usable);
        } catch (TimeShiftException e) {
            checks.add(DoctorService.bad("coverage", "cannot tell whether the other nodes have the snippet: " + ErrorLine.of(e),
                    "run time-shift doctor as root on a Proxmox VE node"));
            return;
        }
        for (String n : report.offline()) {
            notes.add("node " + n + " was not checked for the snippet; check again when it is back, before VMs with a"
                    + " policy migrate there");
        }
        for (SnippetCoverage.Check c : report.checks()) {
            if (c.node().equals(skipNode)) {
                continue;
            }
            SnippetCoverage.Problem p = SnippetCoverage.problemOf(c);
            if (p == null) {
                checks.add(DoctorService.ok("coverage", "node " + c.node() + ": " + c.volid() + " is present"
                        + (c.detail().isEmpty() ? "" : " (" + c.detail() + ")")));
            } else if (c.verdict() == SnippetCoverage.Verdict.UNVERIFIABLE) {
                notes.add(p.line());
            } else {
                checks.add(DoctorService.bad("coverage", p.problem(), p.fix()));
            }
        }
    }
}
