package io.timeshift.host.hook;

/**
 * The one VMID rule of time-shift, Proxmox's own: pve-common's {@code pve-vmid} format accepts
 * {@code ^[1-9][0-9]{2,8}$} (pve-common src/PVE/JSONSchema.pm:312, f665029), i.e. 100 to 999999999 written
 * in ASCII digits with no sign, no leading zero, no blank. {@code Integer.parseInt} is not that rule: it
 * takes {@code +100}, {@code 0100} and non-ASCII digits ({@code ١٠٠}). The launcher's no-JVM fast path
 * (packaging/bin/time-shift) applies the same rule with a shell {@code case}; a test runs both.
 * Hand-matched (the hook path has no regex).
 */
public final class Vmid {
    /** For messages: the valid form. */
    public static final String FORM = "a number from 100 to 999999999";

    private Vmid() {
    }

    /** The VMID {@code text} names, or -1 when it is not one. */
    public static int parse(String text) {
        if (text == null || text.length() < 3 || text.length() > 9 || text.charAt(0) < '1' || text.charAt(0) > '9') {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** {@code text} for a one-line message: control characters (C0, DEL, C1) as {@code \\uXXXX}, at most 40 chars. */
    public static String shown(String text) {
        StringBuilder b = new StringBuilder();
        int n = Math.min(text.length(), 40);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                String h = Integer.toHexString(c);
                b.append("\\u").append("0000", h.length(), 4).append(h);
            } else {
                b.append(c);
            }
        }
        return n < text.length() ? b.append("...").toString() : b.toString();
    }
}
