package io.timeshift.host.audit;

import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a stream into {@code \n}-terminated lines without holding more than one line of at most
 * {@link AuditLog#MAX_LINE} bytes: any file size (offsets and line numbers are {@code long}), any bytes.
 * A longer line is reported as overlong with its first {@code MAX_LINE} bytes; a last line without a
 * newline is reported as not terminated. On the hook path: no lambdas.
 */
public final class LineReader {
    /** Receives each line; {@code buf} is reused, valid only during the call. */
    public interface Visitor {
        /**
         * @param buf        the line's bytes, without the newline ({@code len} of them)
         * @param number     1-based line number
         * @param start      offset of the line's first byte in the file
         * @param end        offset just after the line (after its newline, if any)
         * @param overlong   the line is longer than {@link AuditLog#MAX_LINE}; {@code buf} holds its start
         * @param terminated the line ends with a newline (false only for the last line)
         */
        void line(byte[] buf, int len, long number, long start, long end, boolean overlong, boolean terminated);
    }

    private LineReader() {
    }

    public static void read(InputStream in, Visitor visitor) throws IOException {
        read(in, visitor, AuditLog.MAX_LINE);
    }

    static void read(InputStream in, Visitor visitor, int maxLine) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        byte[] line = new byte[512];
        int len = 0;
        boolean overlong = false;
        long offset = 0;
        long start = 0;
        long number = 0;
        int n;
        while ((n = in.read(chunk)) >= 0) {
            int i = 0;
            while (i < n) {
                int nl = i;
                while (nl < n && chunk[nl] != '\n') {
                    nl++;
                }
                int take = nl - i; // bytes of the current line in this chunk, before its newline (if any)
                if (!overlong) {
                    if (len + take > maxLine) {
                        overlong = true;
                        take = maxLine - len;
                    }
                    if (len + take > line.length) {
                        line = java.util.Arrays.copyOf(line, Math.min(maxLine, Math.max(line.length * 2, len + take)));
                    }
                    System.arraycopy(chunk, i, line, len, take);
                    len += take;
                }
                offset += nl - i;
                if (nl < n) {
                    offset++;
                    number++;
                    visitor.line(line, len, number, start, offset, overlong, true);
                    len = 0;
                    overlong = false;
                    start = offset;
                }
                i = nl + 1;
            }
        }
        if (offset > start) {
            visitor.line(line, len, number + 1, start, offset, overlong, false);
        }
    }
}
