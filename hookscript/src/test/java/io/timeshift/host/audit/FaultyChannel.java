package io.timeshift.host.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A real file channel whose disk fills up: positional writes succeed for {@code room} more bytes, then the
 * rest of the write fails like write(2) with ENOSPC; {@code failForce} makes fsync fail like EIO. Everything
 * else (reads, size, truncate, locks) is the real file's.
 */
final class FaultyChannel extends FileChannel {
    private final FileChannel real;
    private long room;
    private final boolean failForce;
    private final String writeError;

    FaultyChannel(FileChannel real, long room, boolean failForce, String writeError) {
        this.real = real;
        this.room = room;
        this.failForce = failForce;
        this.writeError = writeError;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        if (room <= 0) {
            throw new IOException(writeError);
        }
        ByteBuffer part = src.duplicate();
        if (part.remaining() > room) {
            part.limit(part.position() + (int) room);
        }
        int n = real.write(part, position);
        src.position(src.position() + n);
        room -= n;
        return n;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        if (failForce) {
            throw new IOException("Input/output error");
        }
        real.force(metaData);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return real.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return write(src, real.position());
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        throw new IOException("not used");
    }

    @Override
    public long position() throws IOException {
        return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        real.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        real.truncate(size);
        return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return real.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        throw new IOException("not used");
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return real.read(dst, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        throw new IOException("not used");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        real.close();
    }
}
