/**
 * The wire: {@link io.timeshift.pve.api.transport.PveTransport} and its two implementations.
 *
 * <ul>
 *   <li>{@link io.timeshift.pve.api.transport.PveshTransport}: {@code pvesh} child process (argv,
 *       no shell, {@code LC_ALL=C}, monotonic time limit), for root on a node. No credentials.</li>
 *   <li>{@link io.timeshift.pve.api.transport.HttpsTransport}: HttpClient 5 to
 *       {@code https://host:8006/api2/json}; {@link io.timeshift.pve.api.transport.ApiToken} or
 *       {@link io.timeshift.pve.api.transport.PasswordLogin} (ticket + CSRF, TOTP, renewal);
 *       {@link io.timeshift.pve.api.transport.TlsTrust}: system store, CA PEM, or pinned SHA-256.</li>
 * </ul>
 *
 * <p>Secrets live in {@link io.timeshift.pve.api.transport.Secret} (prints {@code ****}), are read
 * from owner-only files ({@link io.timeshift.pve.api.transport.SecretFiles}) or the environment,
 * and never reach argv, logs or exception messages.
 *
 * <p>How to add a transport: implement {@code call} so that success returns the envelope's data and
 * every failure throws one {@code io.timeshift.pve.api.error} type (classify PVE messages with
 * {@code PveErrorClassifier}; mark transport failures with whether the request may have been sent).
 * Never retry inside a transport.
 */
package io.timeshift.pve.api.transport;
