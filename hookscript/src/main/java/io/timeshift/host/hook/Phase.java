package io.timeshift.host.hook;

/** The phases Proxmox passes to a hookscript ({@code <script> <vmid> <phase>}). */
public enum Phase {
    PRE_START("pre-start"), POST_START("post-start"), PRE_STOP("pre-stop"), POST_STOP("post-stop");

    private final String id;

    Phase(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The phase, or null for a phase this version does not know (a future Proxmox may add some). */
    public static Phase parse(String s) {
        for (Phase p : values()) {
            if (p.id.equals(s)) {
                return p;
            }
        }
        return null;
    }
}
