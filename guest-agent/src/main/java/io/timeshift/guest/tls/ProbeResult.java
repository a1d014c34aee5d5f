package io.timeshift.guest.tls;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.timeshift.guest.Finding;
import java.util.List;
import java.util.Map;

/**
 * One target's report; the JSON field names and order are the contract's ({@code probe --json}).
 * {@code findings} and {@code notes} feed the text output only.
 *
 * @param protocols    SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3, in that order
 * @param cipherSuites the suites the server picked, per accepted version from highest, IANA names
 * @param validNow     every certificate of the chain is valid now; null without a chain
 * @param validAt      the same at {@code --at}; null without {@code --at} or without a chain
 * @param verdict      ok, expired, not-yet-valid, weak-crypto, unreachable, client-rejected
 */
@JsonPropertyOrder({"target", "reachable", "error", "protocols", "cipherSuites", "certificates", "validNow",
        "validAt", "clientCertRequested", "verdict", "timeShiftHelps", "relaxations"})
public record ProbeResult(
        String target, boolean reachable, String error, Map<String, Boolean> protocols, List<String> cipherSuites,
        List<CertificateInfo> certificates, Boolean validNow, Boolean validAt, boolean clientCertRequested,
        String verdict, boolean timeShiftHelps, List<String> relaxations,
        @JsonIgnore List<Finding> findings, @JsonIgnore List<String> notes) {

    public static final String OK = "ok";
    public static final String EXPIRED = "expired";
    public static final String NOT_YET_VALID = "not-yet-valid";
    public static final String WEAK_CRYPTO = "weak-crypto";
    public static final String UNREACHABLE = "unreachable";
    public static final String CLIENT_REJECTED = "client-rejected";

    @JsonIgnore
    public boolean ok() {
        return OK.equals(verdict);
    }
}
