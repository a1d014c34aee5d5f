package io.timeshift.pve.qga;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplyScannerTest {
    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static ByteBuffer sync(long id) {
        return ByteBuffer.wrap(ScriptedQgaConnection.syncReplyBytes(id));
    }

    @Test
    void replyLargerThanTheCapIsAViolation() {
        ReplyScanner s = new ReplyScanner(1, 1024);
        assertFalse(s.feed(sync(1)));

        ReplyScanner.Violation v = assertThrows(ReplyScanner.Violation.class,
                () -> s.feed(bytes("{\"return\": \"" + "x".repeat(2000) + "\"}")));

        assertTrue(v.getMessage().startsWith("reply larger than"), v.getMessage());
    }

    @Test
    void bracesInsideStringsDoNotEndTheReply() {
        ReplyScanner s = new ReplyScanner(1, 1024);
        s.feed(sync(1));

        assertFalse(s.feed(bytes("{\"return\": \"}}} \\\" {\"")));
        assertTrue(s.feed(bytes("}\n")));
        assertEquals("{\"return\": \"}}} \\\" {\"}", s.reply());
    }

    @Test
    void countsStaleSyncRepliesAndKnowsWhenSynced() {
        ReplyScanner s = new ReplyScanner(3, 1024);
        s.feed(sync(1));
        s.feed(sync(2));
        assertFalse(s.synced());
        s.feed(sync(3));

        assertTrue(s.synced());
        assertEquals(2, s.staleSyncReplies());
    }

    @Test
    void syncReplyWithTheIdAsAStringIsNotOurs() {
        ReplyScanner s = new ReplyScanner(3, 1024);
        byte[] b = "X{\"return\": \"3\"}\n".getBytes(StandardCharsets.UTF_8);
        b[0] = (byte) 0xFF;
        s.feed(ByteBuffer.wrap(b));

        assertFalse(s.synced());
    }

    @Test
    void sentinelInsideTheCommandReplyIsAViolation() {
        ReplyScanner s = new ReplyScanner(3, 1024);
        s.feed(sync(3));
        s.feed(bytes("{\"return\": "));

        assertThrows(ReplyScanner.Violation.class, () -> s.feed(ByteBuffer.wrap(new byte[] {(byte) 0xFF})));
    }
}
