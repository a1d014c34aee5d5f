package io.timeshift.pve.qga;

import io.timeshift.testsupport.FakeMonotonic;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A fake agent connection: records every frame written and replays a script of reply chunks.
 * "Silence" steps, and everything after the script ends, behave like an agent that never answers:
 * {@code read} returns 0 and advances the fake clock by the whole timeout it was given, so timeouts
 * are exact and instant.
 */
final class ScriptedQgaConnection implements QgaConnection {
    private sealed interface Step permits Chunk, Silence, Pause, Eof, Fail {}

    private record Chunk(byte[] bytes) implements Step {}

    private record Silence() implements Step {}

    private record Pause(long nanos) implements Step {}

    private record Eof() implements Step {}

    private record Fail(IOException error) implements Step {}

    private final FakeMonotonic clock;
    private final Deque<Step> steps = new ArrayDeque<>();
    private final List<byte[]> writes = new ArrayList<>();
    private IOException writeFailure;
    private boolean oneByteAtATime;
    private boolean closed;
    private int reads;

    ScriptedQgaConnection(FakeMonotonic clock) {
        this.clock = clock;
    }

    // ---- script

    /** Sends UTF-8 text as one chunk. */
    ScriptedQgaConnection send(String text) {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    ScriptedQgaConnection send(byte[] bytes) {
        steps.add(new Chunk(bytes.clone()));
        return this;
    }

    /** The 0xFF sentinel byte, alone. */
    ScriptedQgaConnection sentinel() {
        return send(new byte[] {(byte) 0xFF});
    }

    /** What qemu-ga sends for guest-sync-delimited {id}: 0xFF, then {"return": id} and a newline. */
    ScriptedQgaConnection syncReply(long id) {
        return send(syncReplyBytes(id));
    }

    static byte[] syncReplyBytes(long id) {
        byte[] json = ("{\"return\": " + id + "}\n").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[json.length + 1];
        out[0] = (byte) 0xFF;
        System.arraycopy(json, 0, out, 1, json.length);
        return out;
    }

    /** One JSON reply line. */
    ScriptedQgaConnection reply(String json) {
        return send(json + "\n");
    }

    /** One read that times out. */
    ScriptedQgaConnection silence() {
        steps.add(new Silence());
        return this;
    }

    /** One read that returns nothing after {@code nanos} (or the whole timeout, if shorter). */
    ScriptedQgaConnection pause(long nanos) {
        steps.add(new Pause(nanos));
        return this;
    }

    ScriptedQgaConnection eof() {
        steps.add(new Eof());
        return this;
    }

    ScriptedQgaConnection failRead(IOException e) {
        steps.add(new Fail(e));
        return this;
    }

    ScriptedQgaConnection failWrite(IOException e) {
        this.writeFailure = e;
        return this;
    }

    /** Deliver every chunk one byte per read. */
    ScriptedQgaConnection oneByteAtATime() {
        this.oneByteAtATime = true;
        return this;
    }

    // ---- inspection

    List<byte[]> writes() {
        return writes;
    }

    /** Everything written, as UTF-8 text. */
    String written() {
        StringBuilder sb = new StringBuilder();
        for (byte[] w : writes) {
            sb.append(new String(w, StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    boolean closed() {
        return closed;
    }

    int reads() {
        return reads;
    }

    // ---- QgaConnection

    @Override
    public void write(byte[] bytes) throws IOException {
        if (closed) {
            throw new IOException("write after close");
        }
        writes.add(bytes.clone());
        if (writeFailure != null) {
            throw writeFailure;
        }
    }

    @Override
    public int read(ByteBuffer dst, long timeoutNanos) throws IOException {
        if (closed) {
            throw new IOException("read after close");
        }
        if (timeoutNanos <= 0) {
            throw new AssertionError("read called with no time left: " + timeoutNanos);
        }
        reads++;
        Step step = steps.poll();
        if (step == null || step instanceof Silence) {
            clock.advance(timeoutNanos);
            return 0;
        }
        if (step instanceof Pause p) {
            clock.advance(Math.min(p.nanos(), timeoutNanos));
            return 0;
        }
        if (step instanceof Eof) {
            steps.addFirst(step);
            return -1;
        }
        if (step instanceof Fail f) {
            throw f.error();
        }
        byte[] bytes = ((Chunk) step).bytes();
        int n = Math.min(dst.remaining(), oneByteAtATime ? 1 : bytes.length);
        dst.put(bytes, 0, n);
        if (n < bytes.length) {
            byte[] rest = new byte[bytes.length - n];
            System.arraycopy(bytes, n, rest, 0, rest.length);
            steps.addFirst(new Chunk(rest));
        }
        return n;
    }

    @Override
    public void close() {
        closed = true;
    }
}
