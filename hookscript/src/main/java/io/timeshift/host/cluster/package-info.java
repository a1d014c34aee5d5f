/**
 * The cluster side of the host tool: everything that talks to the Proxmox API rather than to this
 * node's files and sockets.
 *
 * <ul>
 *   <li>{@link io.timeshift.host.cluster.PveClients}: the one place commands get a
 *       {@code PveClient}: {@code open(RemoteSpec)} for read commands ({@code --remote} HTTPS, else this
 *       node), {@code asRoot()} for what only root@pam may do. In {@code Services}, so tests inject
 *       their own.</li>
 *   <li>{@link io.timeshift.host.cluster.RemoteSpec}: the {@code --remote/--token-file/--user/
 *       --password-file/--ca/--fingerprint/--insecure-skip-verify} values (the picocli mixin is
 *       {@code cli.RemoteOptions}).</li>
 *   <li>{@link io.timeshift.host.cluster.PreferredTransport}: the api-setup token where it works,
 *       pvesh as root otherwise and always for {@code hookscript}.</li>
 *   <li>{@link io.timeshift.host.cluster.ClusterStatusService}: {@code status --all}.</li>
 *   <li>{@link io.timeshift.host.cluster.SnippetCoverage}: is the hook snippet on every node a policy
 *       VM could start on.</li>
 *   <li>{@link io.timeshift.host.cluster.ApiSetupService}: the least-privilege account.</li>
 * </ul>
 *
 * <h2>How to extend</h2>
 * A read command that should work from any machine: add {@code @Mixin RemoteOptions remote;}, get the
 * client with {@code services.pve().open(remote.spec(err))} in a try-with-resources, and keep the
 * work in a service here that takes the {@code PveClient} (tests drive it with WireMock, see
 * {@code PveApi} and {@code ClusterScenario} in the tests). A fan-out over many VMs should use
 * {@code ClusterStatusService.fanOutRetry} so one dead node does not open the endpoint's breaker for
 * all. An endpoint pve-api lacks is added to pve-api (a method on the
 * level it belongs to, see {@code PveClient}); the client offers no way around its typed calls and
 * retry presets.
 *
 * <h2>Common mistakes</h2>
 * <ul>
 *   <li>Using an API token (even {@code root@pam!x}) for {@code hookscript}/{@code args}: only the user
 *       root@pam may set them; use {@code PveClients.asRoot()}.</li>
 *   <li>Reading "no snippet in the listing" as "missing": without Datastore.Allocate PVE leaves snippet
 *       volumes out of the listing ({@code SnippetCoverage} checks the caller's permissions).</li>
 *   <li>Taking {@code uptime} from {@code /cluster/resources}: it is refreshed only every few seconds.</li>
 *   <li>Printing or logging a token secret; {@code Secret#toString()} masks it, {@code reveal()} is for the
 *       wire and the 0600 file only.</li>
 * </ul>
 */
package io.timeshift.host.cluster;
