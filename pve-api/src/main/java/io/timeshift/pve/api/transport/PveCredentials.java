package io.timeshift.pve.api.transport;

/**
 * How the HTTPS transport authenticates: an {@link ApiToken} (header, no CSRF, no expiry) or a
 * {@link PasswordLogin} (ticket cookie + CSRF token, renewed before its two-hour expiry). Every
 * implementation's {@code toString()} redacts the secret.
 */
public sealed interface PveCredentials permits ApiToken, PasswordLogin {
}
