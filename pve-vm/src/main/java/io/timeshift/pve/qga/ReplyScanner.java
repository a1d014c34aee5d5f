package io.timeshift.pve.qga;

import io.timeshift.common.json.LightJson;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Incremental reader of the agent's answer to {@code guest-sync-delimited {id}} + one command, fed
 * with whatever chunks the socket delivers (down to one byte at a time).
 *
 * <p>What arrives on a fresh connection (docs/pve-facts.md §4.1, docs/real-vm.md pitfalls 8–10):
 * <ol>
 *   <li>anything: a previous client's unread replies, a JSON parse-error object, partial bytes;
 *       discarded up to a 0xFF sentinel (0xFF never occurs in UTF-8, so it cannot be part of JSON);</li>
 *   <li>after each 0xFF, one JSON object: a sync reply {@code {"return": M}}. If M is not our id it
 *       is stale (another client's, or a retry of ours that the agent answers late): keep scanning
 *       for the next 0xFF. Anything unparsable after a 0xFF is treated as noise the same way;</li>
 *   <li>after our sync reply, the next JSON object is the command's reply. Nothing but whitespace
 *       may come between; anything else is a protocol violation.</li>
 * </ol>
 * Objects are delimited by brace matching (string- and escape-aware), not by newline, so a reply is
 * complete as soon as its closing brace arrives. Only bytes of the current object are kept; their
 * total is capped.
 *
 * <p>Not thread-safe; one instance per exchange.
 */
final class ReplyScanner {
    /** Where the scanner stands; ordered so that {@code compareTo} says "how far we got". */
    enum Phase { SEEK_SENTINEL, SYNC_START, SYNC_BODY, REPLY_START, REPLY_BODY, DONE }

    /** Thrown for bytes that break the protocol after our sync reply, or an oversize object. */
    static final class Violation extends RuntimeException {
        Violation(String message) {
            super(message, null, false, false);
        }
    }

    private static final int SENTINEL = 0xFF;

    private final long syncId;
    private final int maxObjectBytes;

    private Phase phase = Phase.SEEK_SENTINEL;
    private byte[] obj = new byte[256];
    private int objLen;
    private int depth;
    private boolean inString;
    private boolean escape;
    private long bytesSeen;
    private int staleSyncReplies;
    private String reply;

    ReplyScanner(long syncId, int maxObjectBytes) {
        this.syncId = syncId;
        this.maxObjectBytes = maxObjectBytes;
    }

    Phase phase() {
        return phase;
    }

    /** Our sync reply has been seen: the agent is alive and the rest belongs to our command. */
    boolean synced() {
        return phase.compareTo(Phase.REPLY_START) >= 0;
    }

    long bytesSeen() {
        return bytesSeen;
    }

    int staleSyncReplies() {
        return staleSyncReplies;
    }

    /** The command's reply object as text; only after {@link #feed} returned true. */
    String reply() {
        if (reply == null) {
            throw new IllegalStateException("reply not complete");
        }
        return reply;
    }

    /**
     * Consumes all remaining bytes of {@code buf} (or up to the end of the reply).
     *
     * @return true once the command's reply object is complete
     * @throws Violation on bytes that break the protocol after our sync reply, or an oversize object
     */
    boolean feed(ByteBuffer buf) {
        while (buf.hasRemaining() && phase != Phase.DONE) {
            int b = buf.get() & 0xFF;
            bytesSeen++;
            step(b);
        }
        return phase == Phase.DONE;
    }

    private void step(int b) {
        switch (phase) {
            case SEEK_SENTINEL -> {
                if (b == SENTINEL) {
                    phase = Phase.SYNC_START;
                }
            }
            case SYNC_START -> {
                if (b == SENTINEL || isWhitespace(b)) {
                    return;
                }
                if (b == '{') {
                    startObject(b);
                    phase = Phase.SYNC_BODY;
                } else {
                    // Not an object after the sentinel: noise (e.g. half a reply meant for a
                    // previous client). Wait for the next sentinel.
                    phase = Phase.SEEK_SENTINEL;
                }
            }
            case SYNC_BODY -> {
                if (b == SENTINEL) {
                    // A new sentinel inside an unfinished object: the object was noise; restart.
                    phase = Phase.SYNC_START;
                    return;
                }
                if (appendAndCheckEnd(b)) {
                    if (isOurSyncReply(text())) {
                        phase = Phase.REPLY_START;
                    } else {
                        staleSyncReplies++;
                        phase = Phase.SEEK_SENTINEL;
                    }
                }
            }
            case REPLY_START -> {
                if (isWhitespace(b)) {
                    return;
                }
                if (b != '{') {
                    throw new Violation(String.format(
                            "expected the command's reply after the sync reply, got byte 0x%02X", b));
                }
                startObject(b);
                phase = Phase.REPLY_BODY;
            }
            case REPLY_BODY -> {
                if (b == SENTINEL) {
                    throw new Violation("byte 0xFF inside the command's reply");
                }
                if (appendAndCheckEnd(b)) {
                    reply = text();
                    phase = Phase.DONE;
                }
            }
            case DONE -> { }
        }
    }

    private static boolean isWhitespace(int b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    private void startObject(int b) {
        objLen = 0;
        depth = 0;
        inString = false;
        escape = false;
        appendAndCheckEnd(b);
    }

    /** Appends b to the current object; true when the object's closing brace was appended. */
    private boolean appendAndCheckEnd(int b) {
        if (objLen == obj.length) {
            if (objLen >= maxObjectBytes) {
                throw new Violation("reply larger than " + (maxObjectBytes >= 1 << 20
                        ? (maxObjectBytes >> 20) + " MiB" : maxObjectBytes + " bytes"));
            }
            int grown = (int) Math.min((long) obj.length * 2, maxObjectBytes);
            byte[] bigger = new byte[grown];
            System.arraycopy(obj, 0, bigger, 0, objLen);
            obj = bigger;
        }
        obj[objLen++] = (byte) b;
        if (inString) {
            if (escape) {
                escape = false;
            } else if (b == '\\') {
                escape = true;
            } else if (b == '"') {
                inString = false;
            }
            return false;
        }
        switch (b) {
            case '"' -> inString = true;
            case '{', '[' -> depth++;
            case '}', ']' -> {
                depth--;
                return depth == 0;
            }
            default -> { }
        }
        return false;
    }

    private String text() {
        return new String(obj, 0, objLen, StandardCharsets.UTF_8);
    }

    private boolean isOurSyncReply(String text) {
        try {
            Object ret = LightJson.parseTopObject(text).values().get("return");
            return ret instanceof Long id && id == syncId;
        } catch (IllegalArgumentException notJson) {
            return false;
        }
    }
}
