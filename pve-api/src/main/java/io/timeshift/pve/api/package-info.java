/**
 * Typed Proxmox VE API client: one client, two transports.
 *
 * <pre>{@code
 * try (PveClient pve = PveClient.over(PveshTransport.onPath())) {           // on a node, as root
 *     VmConfigView cfg = pve.node("pve1").qemu(105).config();
 *     pve.node("pve1").qemu(105).updateConfig(ConfigUpdate.builder()
 *             .set("startdate", "2021-03-01T12:00:00").digest(cfg.digest()).build());
 * }
 * PveClient remote = PveClient.over(HttpsTransport.builder()                 // from anywhere
 *         .endpoint("https://pve1:8006")
 *         .credentials(ApiToken.fromFile(Path.of("/root/.config/time-shift/token")))
 *         .trust(TlsTrust.caFile(Path.of("/etc/pve/pve-root-ca.pem")))
 *         .build());
 * }</pre>
 *
 * <h2>Layout</h2>
 * <ul>
 *   <li>this package: {@link io.timeshift.pve.api.PveClient} → {@link io.timeshift.pve.api.NodeApi} →
 *       {@link io.timeshift.pve.api.QemuApi} / {@link io.timeshift.pve.api.StorageApi},
 *       {@link io.timeshift.pve.api.AccessApi} ({@code /access}:
 *       users, tokens, roles, ACL, effective permissions), the result records, and
 *       {@link io.timeshift.pve.api.ApiPath} (the only place paths are built). The client is closed: it
 *       exposes neither its transport nor its retry machinery, so every call is a typed method;</li>
 *   <li>{@code transport}: the {@code PveTransport} seam, pvesh and HTTPS implementations, credentials, TLS trust;</li>
 *   <li>{@code json}: PVE's wire conventions, the one {@code ObjectMapper};</li>
 *   <li>{@code error}: the typed exceptions and the one classifier of PVE error messages;</li>
 *   <li>{@code retry}: named Failsafe presets (each with an explicit predicate and bounds) and the
 *       per-endpoint circuit breaker; callers that retry a whole operation (a config write waiting
 *       for the VM's lock, a digest-checked read-modify-write, a local poll) use the presets too.</li>
 * </ul>
 *
 * <h2>How to add an endpoint</h2>
 * See {@link io.timeshift.pve.api.PveClient}. In short: a method on the level it belongs to, its path
 * via {@code child(...)}, a record with {@code static from(JsonNode, String op)} using
 * {@code PveJson} helpers, a recorded answer under {@code src/test/resources/pve/}, a WireMock test.
 *
 * <h2>Common mistakes</h2>
 * <ul>
 *   <li>Concatenating URL strings (use {@code ApiPath}); percent-encoding yourself (the HTTPS
 *       transport encodes segments, pvesh wants them raw).</li>
 *   <li>Re-sending a write after a timeout or reset: its outcome is unknown ({@code RetryPresets}).</li>
 *   <li>Reading PVE booleans with {@code asBoolean()} or numbers with {@code asInt()} (use {@code PveJson}).</li>
 *   <li>Checking error messages at call sites: catch the typed exception instead; add new
 *       messages to {@code PveErrorClassifier} with a test row.</li>
 *   <li>Using an API token for {@code hookscript}/{@code args}: only the user {@code root@pam} may
 *       set them (pvesh as root, or a root@pam password login).</li>
 * </ul>
 */
package io.timeshift.pve.api;
