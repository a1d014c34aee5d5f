package io.timeshift.guest.tls;

/** TLS alert descriptions (RFC 8446 §6, plus SSLv3's no_certificate). */
final class Alerts {
    private Alerts() {
    }

    static String name(int desc) {
        return switch (desc) {
            case 0 -> "close_notify";
            case 10 -> "unexpected_message";
            case 20 -> "bad_record_mac";
            case 22 -> "record_overflow";
            case 40 -> "handshake_failure";
            case 41 -> "no_certificate";
            case 42 -> "bad_certificate";
            case 43 -> "unsupported_certificate";
            case 44 -> "certificate_revoked";
            case 45 -> "certificate_expired";
            case 46 -> "certificate_unknown";
            case 47 -> "illegal_parameter";
            case 48 -> "unknown_ca";
            case 49 -> "access_denied";
            case 50 -> "decode_error";
            case 51 -> "decrypt_error";
            case 70 -> "protocol_version";
            case 71 -> "insufficient_security";
            case 80 -> "internal_error";
            case 86 -> "inappropriate_fallback";
            case 90 -> "user_canceled";
            case 109 -> "missing_extension";
            case 110 -> "unsupported_extension";
            case 112 -> "unrecognized_name";
            case 116 -> "certificate_required";
            case 120 -> "no_application_protocol";
            default -> "alert " + desc;
        };
    }

    /**
     * Whether an alert answering our empty Certificate means "a client certificate is required".
     * OpenSSL sends handshake_failure (SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE); others send
     * bad_certificate, no_certificate, certificate_required, certificate_unknown or access_denied.
     */
    static boolean rejectsClientCertificate(int desc) {
        return desc == 40 || desc == 41 || desc == 42 || desc == 43 || desc == 46 || desc == 48 || desc == 49
                || desc == 116;
    }
}
