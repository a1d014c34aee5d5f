package io.timeshift.pve.api.transport;

import com.fasterxml.jackson.databind.JsonNode;
import io.timeshift.pve.api.error.PveAuthException;
import io.timeshift.pve.api.error.PveConnectionException;
import io.timeshift.pve.api.error.PveErrorClassifier;
import io.timeshift.pve.api.error.PveTimeoutException;
import io.timeshift.pve.api.error.PveTlsException;
import io.timeshift.pve.api.json.PveErrorBody;
import io.timeshift.pve.api.json.PveJson;
import io.timeshift.common.error.InvalidInputException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.entity.UrlEncodedFormEntity;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.NameValuePair;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.message.BasicNameValuePair;
import org.apache.hc.core5.net.URIBuilder;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST transport on Apache HttpClient 5 (classic): {@code https://host:8006/api2/json}.
 *
 * <ul>
 *   <li><b>Auth:</b> {@link ApiToken} sends {@code Authorization: PVEAPIToken=...} (no CSRF needed,
 *       pve-http-server skips the check for tokens). {@link PasswordLogin} logs in with POST
 *       {@code /access/ticket} (answering a {@code NeedTFA} challenge with {@code tfa-challenge} +
 *       {@code password=totp:<code>}), sends the ticket as cookie {@code PVEAuthCookie} on every request
 *       and {@code CSRFPreventionToken} on non-GET requests only, renews it (POST the ticket as the
 *       password) once it is 1 h 50 min old by the injected {@link Clock} (tickets live 2 h,
 *       server wall clock), and on a 401 logs in again and repeats that one request once (a 401 was
 *       rejected before anything ran, so this is safe even for writes).</li>
 *   <li><b>TLS:</b> see {@link TlsTrust}; verified by default; per-client context.</li>
 *   <li><b>Timeouts:</b> connect and response timeouts ({@link Duration}), enforced by the socket
 *       layer (monotonic). HttpClient's own retries and redirects are off: retrying is the client's
 *       decision (see {@code retry.Resilience}).</li>
 *   <li><b>Errors:</b> every failure becomes one typed exception: HTTP errors through
 *       {@link PveErrorClassifier}; transport failures as {@link PveConnectionException},
 *       {@link PveTimeoutException} or {@link PveTlsException}, each saying whether the request may
 *       have reached the server.</li>
 * </ul>
 * Secrets never appear in logs, messages or {@link #toString()}. Thread-safe.
 */
public final class HttpsTransport implements PveTransport {
    private static final Logger LOG = LoggerFactory.getLogger(HttpsTransport.class);
    static final String API_BASE = "/api2/json";
    /** Tickets are valid 2 h (pve-access-control {@code $ticket_lifetime = 3600 * 2}); renew before. */
    static final Duration TICKET_RENEW_AFTER = Duration.ofMinutes(110);
    static final Duration TICKET_LIFETIME = Duration.ofHours(2);

    private final URI base;
    private final String endpoint;
    private final PveCredentials credentials;
    private final TlsTrust trust;
    private final boolean insecure;
    private final Duration connectTimeout;
    private final Duration responseTimeout;
    private final Clock clock;
    private final CloseableHttpClient http;
    private final RequestConfig requestConfig;
    private final Object ticketLock = new Object();
    private Ticket ticket; // guarded by ticketLock

    private HttpsTransport(Builder b) {
        this.base = b.endpoint;
        this.endpoint = b.endpoint.getHost() + ":" + b.endpoint.getPort();
        this.credentials = b.credentials;
        this.trust = b.trust;
        this.insecure = b.insecure;
        this.connectTimeout = b.connectTimeout;
        this.responseTimeout = b.responseTimeout;
        this.clock = b.clock;
        if (insecure) {
            LOG.warn("TLS VERIFICATION IS DISABLED for {} (insecureSkipVerify): anyone on the network path can"
                    + " impersonate the node and read the API token or password. Use --ca /etc/pve/pve-root-ca.pem"
                    + " or --fingerprint instead.", base);
        }
        PoolingHttpClientConnectionManager cm = PoolingHttpClientConnectionManagerBuilder.create()
                .setTlsSocketStrategy(TlsSetup.strategy(trust, insecure))
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(connectTimeout))
                        .setSocketTimeout(Timeout.of(responseTimeout))
                        .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                        .build())
                .setMaxConnPerRoute(4)
                .setMaxConnTotal(8)
                .build();
        this.requestConfig = RequestConfig.custom()
                .setResponseTimeout(Timeout.of(responseTimeout))
                .setConnectionRequestTimeout(Timeout.of(connectTimeout))
                .setRedirectsEnabled(false)
                .setAuthenticationEnabled(false)
                .build();
        this.http = HttpClients.custom()
                .setConnectionManager(cm)
                .setDefaultRequestConfig(requestConfig)
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                .setUserAgent("time-shift-proxmox")
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String endpoint() {
        return endpoint;
    }

    @Override
    public PveResponse call(Method method, String path, Map<String, ?> params) {
        Objects.requireNonNull(method, "method");
        String operation = method + " " + path;
        if (credentials instanceof ApiToken token) {
            return send(method, path, params, operation, Auth.token(token));
        }
        Ticket t = currentTicket(operation);
        try {
            return send(method, path, params, operation, Auth.ticket(t));
        } catch (PveAuthException e) {
            // The ticket was refused (expired early, key rotated, node restored): log in again and
            // repeat this request once. A 401 is decided before the handler runs, so nothing happened.
            LOG.debug("{}: ticket refused ({}); logging in again", operation, e.pveMessage());
            invalidate(t);
            Ticket fresh = currentTicket(operation);
            return send(method, path, params, operation, Auth.ticket(fresh));
        }
    }

    // ---------------------------------------------------------------- tickets

    private record Ticket(Secret value, Secret csrf, java.time.Instant obtainedAt) {
    }

    private Ticket currentTicket(String operation) {
        PasswordLogin login = (PasswordLogin) credentials;
        synchronized (ticketLock) {
            java.time.Instant now = clock.instant();
            if (ticket != null) {
                Duration age = Duration.between(ticket.obtainedAt(), now);
                if (age.compareTo(TICKET_RENEW_AFTER) < 0 && !age.isNegative()) {
                    return ticket;
                }
                if (age.compareTo(TICKET_LIFETIME) < 0 && !age.isNegative()) {
                    try {
                        ticket = requestTicket(login.username(), ticket.value(), null, operation);
                        LOG.debug("renewed ticket for {} (age was {} min)", login.username(), age.toMinutes());
                        return ticket;
                    } catch (PveAuthException e) {
                        LOG.debug("ticket renewal refused; logging in with the password");
                    }
                }
                ticket = null;
            }
            ticket = login(login, operation);
            return ticket;
        }
    }

    private void invalidate(Ticket seen) {
        synchronized (ticketLock) {
            if (ticket == seen) {
                ticket = null;
            }
        }
    }

    private Ticket login(PasswordLogin login, String operation) {
        JsonNode data = postTicket(login.username(), login.password(), null, operation);
        if (PveJson.bool(data, "NeedTFA", false)) {
            if (login.totpSupplier() == null) {
                throw new PveAuthException("POST /access/ticket", 401,
                        "user " + login.username() + " requires a second factor (TOTP) but no code source was given");
            }
            String code = login.totpSupplier().get();
            if (code == null || code.isBlank()) {
                throw new InvalidInputException("TOTP code for " + login.username() + " is empty");
            }
            String response = code.contains(":") ? code.strip() : "totp:" + code.strip();
            Secret challenge = Secret.of(PveJson.requireText(data, "ticket", "POST /access/ticket"));
            data = postTicket(login.username(), Secret.of(response), challenge, operation);
            if (PveJson.bool(data, "NeedTFA", false)) {
                throw new PveAuthException("POST /access/ticket", 401, "second factor was not accepted");
            }
        }
        return toTicket(data);
    }

    private Ticket requestTicket(String username, Secret passwordOrTicket, Secret challenge, String operation) {
        return toTicket(postTicket(username, passwordOrTicket, challenge, operation));
    }

    private JsonNode postTicket(String username, Secret password, Secret tfaChallenge, String operation) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("username", username);
        form.put("password", password.reveal());
        if (tfaChallenge != null) {
            form.put("tfa-challenge", tfaChallenge.reveal());
        }
        // login requests carry no credentials; operation names what needed the login
        return send(Method.POST, "/access/ticket", form, "POST /access/ticket (login for " + operation + ")",
                Auth.NONE).data();
    }

    private Ticket toTicket(JsonNode data) {
        String op = "POST /access/ticket";
        return new Ticket(Secret.of(PveJson.requireText(data, "ticket", op)),
                Secret.of(PveJson.requireText(data, "CSRFPreventionToken", op)), clock.instant());
    }

    // ---------------------------------------------------------------- wire

    /** Headers to add for one request. */
    private record Auth(String authorization, Secret cookie, Secret csrf) {
        static final Auth NONE = new Auth(null, null, null);

        static Auth token(ApiToken t) {
            return new Auth(t.headerValue(), null, null);
        }

        static Auth ticket(Ticket t) {
            return new Auth(null, t.value(), t.csrf());
        }
    }

    private PveResponse send(Method method, String path, Map<String, ?> params, String operation, Auth auth) {
        HttpUriRequestBase request = buildRequest(method, path, params);
        request.setHeader("Accept", "application/json");
        if (auth.authorization() != null) {
            request.setHeader("Authorization", auth.authorization());
        }
        if (auth.cookie() != null) {
            request.setHeader("Cookie", "PVEAuthCookie=" + auth.cookie().reveal());
            if (method != Method.GET) {
                request.setHeader("CSRFPreventionToken", auth.csrf().reveal());
            }
        }
        LOG.debug("{} {}{}", method, base, API_BASE + path);
        Raw raw;
        try {
            raw = http.execute(request, response -> {
                HttpEntity entity = response.getEntity();
                byte[] body = entity == null ? new byte[0] : EntityUtils.toByteArray(entity);
                Header ct = response.getFirstHeader("Content-Type");
                return new Raw(response.getCode(), response.getReasonPhrase(), ct == null ? null : ct.getValue(), body);
            });
        } catch (IOException e) {
            throw transportFailure(operation, e);
        }
        if (raw.status() >= 200 && raw.status() < 300) {
            if (raw.body().length == 0) {
                return PveResponse.of(null);
            }
            JsonNode root = PveJson.parse(raw.body(), operation);
            return new PveResponse(PveJson.data(root), PveJson.total(root));
        }
        PveErrorBody err = PveErrorBody.parse(raw.body(), raw.contentType(), raw.reason());
        throw PveErrorClassifier.classify(operation, raw.status(), err.message(), err.errors());
    }

    private record Raw(int status, String reason, String contentType, byte[] body) {
    }

    private HttpUriRequestBase buildRequest(Method method, String path, Map<String, ?> params) {
        URI uri;
        List<NameValuePair> pairs = new ArrayList<>();
        boolean hasList = false;
        if (params != null) {
            for (Map.Entry<String, ?> e : params.entrySet()) {
                Object v = e.getValue();
                if (v instanceof Collection<?> c) {
                    hasList = true;
                    for (Object item : c) {
                        pairs.add(new BasicNameValuePair(e.getKey(), String.valueOf(item)));
                    }
                } else if (v != null) {
                    pairs.add(new BasicNameValuePair(e.getKey(), String.valueOf(v)));
                }
            }
        }
        boolean bodyMethod = method == Method.POST || method == Method.PUT;
        try {
            URIBuilder ub = new URIBuilder(base).setPathSegments(segments(path));
            if (!bodyMethod && !pairs.isEmpty()) {
                ub.addParameters(pairs);
            }
            uri = ub.build();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("bad API path " + path, e);
        }
        HttpUriRequestBase req = new HttpUriRequestBase(method.name(), uri);
        if (bodyMethod) {
            if (hasList) {
                // PVE array parameters (e.g. agent exec 'command') need a JSON body: a repeated form key
                // arrives as one "a\0b" string (pve-http-server decode_urlencoded).
                Map<String, Object> json = new LinkedHashMap<>();
                params.forEach((k, v) -> {
                    if (v instanceof Collection<?> c) {
                        json.put(k, c.stream().map(String::valueOf).toList());
                    } else if (v != null) {
                        json.put(k, String.valueOf(v));
                    }
                });
                req.setEntity(new StringEntity(PveJson.write(json), ContentType.APPLICATION_JSON));
            } else {
                req.setEntity(new UrlEncodedFormEntity(pairs, StandardCharsets.UTF_8));
            }
        }
        return req;
    }

    /** {@code /api2/json} + the path's raw segments; URIBuilder percent-encodes each one. */
    private static List<String> segments(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("API path must start with '/': " + path);
        }
        List<String> segs = new ArrayList<>(List.of("api2", "json"));
        for (String s : path.substring(1).split("/", -1)) {
            if (s.isEmpty()) {
                if (path.length() == 1) {
                    break;
                }
                throw new IllegalArgumentException("API path has an empty segment: " + path);
            }
            segs.add(s);
        }
        return segs;
    }

    private RuntimeException transportFailure(String operation, IOException e) {
        String where = endpoint;
        TlsSetup.FingerprintMismatchException mismatch = findCause(e, TlsSetup.FingerprintMismatchException.class);
        if (mismatch != null) {
            return new PveTlsException(operation, "TLS certificate of " + where + " does not match the pinned fingerprint:"
                    + " expected SHA-256 " + mismatch.expected + ", presented " + mismatch.presented
                    + " (if the node's certificate was renewed, check pvenode cert info and update --fingerprint)", e);
        }
        if (e instanceof SSLException || findCause(e, SSLException.class) != null) {
            String why = rootMessage(e);
            String hint;
            if (findCause(e, javax.net.ssl.SSLPeerUnverifiedException.class) != null
                    || why.toLowerCase(Locale.ROOT).contains("subject alternative name")) {
                hint = "the certificate does not name " + base.getHost() + ": connect by the node name or an address the"
                        + " certificate lists (openssl x509 -noout -ext subjectAltName -in /etc/pve/local/pve-ssl.pem), or pin"
                        + " it with --fingerprint";
            } else if (trust instanceof TlsTrust.CaFile ca) {
                hint = "the node's certificate is not signed by the CA in " + ca.pem() + "; use the cluster CA"
                        + " /etc/pve/pve-root-ca.pem, or pin the node certificate with --fingerprint";
            } else {
                hint = "trust the cluster CA with --ca /etc/pve/pve-root-ca.pem or pin the node certificate with --fingerprint";
            }
            return new PveTlsException(operation, "TLS handshake with " + where + " failed (" + trust + "): " + why + "; " + hint, e);
        }
        if (e instanceof ConnectTimeoutException) {
            return new PveTimeoutException(operation, "connecting to " + where + " timed out", connectTimeout, false, e);
        }
        if (e instanceof UnknownHostException) {
            return new PveConnectionException(operation, "unknown host " + base.getHost(), false, e);
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return new PveConnectionException(operation, "cannot connect to " + where + ": " + rootMessage(e), false, e);
        }
        if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException) {
            return new PveTimeoutException(operation, "no answer from " + where, responseTimeout, true, e);
        }
        if (e instanceof NoHttpResponseException) {
            return new PveConnectionException(operation, where + " closed the connection without answering", true, e);
        }
        return new PveConnectionException(operation, "connection to " + where + " failed: " + rootMessage(e), true, e);
    }

    private static <T extends Throwable> T findCause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        String m = r.getMessage() == null ? r.getClass().getSimpleName() : r.getMessage();
        return m.replaceAll("\\s+", " ").strip();
    }

    @Override
    public void close() {
        try {
            http.close();
        } catch (IOException e) {
            LOG.debug("closing HTTP client: {}", e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "HttpsTransport[" + base + ", " + credentials + ", tls=" + (insecure ? "NOT VERIFIED" : trust.toString()) + "]";
    }

    /** Builder; {@link #endpoint} and {@link #credentials} are required. Validated in {@link #build()}. */
    public static final class Builder {
        private URI endpoint;
        private PveCredentials credentials;
        private TlsTrust trust = TlsTrust.system();
        private boolean trustSet;
        private boolean insecure;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration responseTimeout = Duration.ofSeconds(60);
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** {@code https://host[:port]} (port defaults to 8006; no path). */
        public Builder endpoint(String endpoint) {
            if (endpoint == null) {
                throw new InvalidInputException("--remote is missing; expected https://host[:port], e.g. https://pve1:8006");
            }
            try {
                return endpoint(URI.create(endpoint.strip()));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("--remote '" + endpoint + "' is not a URL; expected https://host[:port], e.g. https://pve1:8006");
            }
        }

        /** {@code https://host[:port]} (port defaults to 8006; no path). */
        public Builder endpoint(URI endpoint) {
            String shown = String.valueOf(endpoint);
            if (endpoint == null || !"https".equalsIgnoreCase(endpoint.getScheme()) || endpoint.getHost() == null
                    || (endpoint.getRawPath() != null && !endpoint.getRawPath().isEmpty() && !endpoint.getRawPath().equals("/"))
                    || endpoint.getRawQuery() != null || endpoint.getRawUserInfo() != null) {
                throw new InvalidInputException("--remote '" + shown + "' must be https://host[:port] (no path, no user),"
                        + " e.g. https://pve1:8006");
            }
            int port = endpoint.getPort() == -1 ? 8006 : endpoint.getPort();
            this.endpoint = URI.create("https://" + (endpoint.getHost().contains(":") && !endpoint.getHost().startsWith("[")
                    ? "[" + endpoint.getHost() + "]" : endpoint.getHost()) + ":" + port);
            return this;
        }

        public Builder credentials(PveCredentials credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /** Which certificates to accept; default {@link TlsTrust#system()}. */
        public Builder trust(TlsTrust trust) {
            this.trust = Objects.requireNonNull(trust, "trust");
            this.trustSet = true;
            return this;
        }

        /**
         * Accept any certificate and any host name. For throw-away labs only: it logs a loud warning
         * on every client built. Scoped to this client; never changes JVM defaults.
         */
        public Builder insecureSkipVerify(boolean insecure) {
            this.insecure = insecure;
            return this;
        }

        /** TCP connect (and TLS handshake) time limit; default 10 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connect timeout");
            return this;
        }

        /** Time limit for the answer (socket inactivity); default 60 s. */
        public Builder responseTimeout(Duration timeout) {
            this.responseTimeout = positive(timeout, "response timeout");
            return this;
        }

        /** Clock for the ticket's age (the ticket's 2 h validity is server wall time). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new InvalidInputException(what + " must be a positive duration, e.g. PT10S (got " + d + ")");
            }
            return d;
        }

        public HttpsTransport build() {
            if (endpoint == null) {
                throw new InvalidInputException("--remote is missing; expected https://host[:port], e.g. https://pve1:8006");
            }
            if (credentials == null) {
                throw new InvalidInputException("no credentials for " + endpoint + ": give --token-file (user@realm!id=secret),"
                        + " set " + ApiToken.ENV + ", or --user with --password-file");
            }
            if (insecure && trustSet && !(trust instanceof TlsTrust.SystemStore)) {
                throw new InvalidInputException("insecure TLS and " + trust + " exclude each other; choose one");
            }
            return new HttpsTransport(this);
        }

        @Override
        public String toString() {
            return "HttpsTransport.Builder[" + endpoint + ", " + credentials + "]";
        }
    }

}
