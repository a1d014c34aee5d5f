package io.timeshift.pve.qga;

import io.timeshift.testsupport.FakeMonotonic;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Hands out scripted connections in order, one per exchange, and keeps the sync ids in step with
 * the client's id supplier ({@link #ids()}): the n-th exchange uses id {@code firstId + n}.
 */
final class ScriptedConnector implements QgaConnector {
    private final FakeMonotonic clock;
    private final AtomicLong supplied;
    private final Deque<Object> script = new ArrayDeque<>();
    private final List<ScriptedQgaConnection> opened = new ArrayList<>();
    private long scriptedIds;
    private long openDelayNanos;

    ScriptedConnector(FakeMonotonic clock, long firstId) {
        this.clock = clock;
        this.supplied = new AtomicLong(firstId);
        this.scriptedIds = firstId;
    }

    /** The id supplier to give the client. */
    LongSupplier ids() {
        return supplied::getAndIncrement;
    }

    /** The sync id the next scripted exchange will use. */
    long nextId() {
        return scriptedIds;
    }

    /** Adds a connection for the next exchange; script its replies yourself. */
    ScriptedQgaConnection connection() {
        ScriptedQgaConnection c = new ScriptedQgaConnection(clock);
        script.add(c);
        scriptedIds++;
        return c;
    }

    /** Adds an exchange the agent answers normally: our sync reply, then {@code json}. */
    ScriptedQgaConnection answer(String json) {
        long id = nextId();
        return connection().syncReply(id).reply(json);
    }

    /** The next open() fails with {@code e} (the exchange still consumes an id). */
    ScriptedConnector failOpen(IOException e) {
        script.add(e);
        scriptedIds++;
        return this;
    }

    /** Every open() takes this long on the fake clock. */
    ScriptedConnector openDelay(long nanos) {
        this.openDelayNanos = nanos;
        return this;
    }

    List<ScriptedQgaConnection> opened() {
        return opened;
    }

    /** Every frame written, one string per exchange. */
    List<String> frames() {
        List<String> out = new ArrayList<>();
        for (ScriptedQgaConnection c : opened) {
            out.add(c.written());
        }
        return out;
    }

    boolean allClosed() {
        return opened.stream().allMatch(ScriptedQgaConnection::closed);
    }

    int unused() {
        return script.size();
    }

    @Override
    public QgaConnection open() throws IOException {
        clock.advance(openDelayNanos);
        Object next = script.poll();
        if (next == null) {
            throw new AssertionError("the client opened more connections than scripted (" + opened.size() + ")");
        }
        if (next instanceof IOException e) {
            throw e;
        }
        ScriptedQgaConnection c = (ScriptedQgaConnection) next;
        opened.add(c);
        return c;
    }
}
