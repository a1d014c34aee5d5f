package io.timeshift.pve.api.transport;

/** The four methods of the PVE API, with the pvesh verb for each ({@code set} is PUT, {@code create} is POST). */
public enum Method {
    GET("get"),
    POST("create"),
    PUT("set"),
    DELETE("delete");

    private final String pveshVerb;

    Method(String pveshVerb) {
        this.pveshVerb = pveshVerb;
    }

    /** The pvesh sub-command for this method. */
    public String pveshVerb() {
        return pveshVerb;
    }

    /** Only GET is idempotent and safe to repeat; every other method may change state. */
    public boolean isIdempotentRead() {
        return this == GET;
    }
}
