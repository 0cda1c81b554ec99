package io.iploop.tunnel;

import io.iploop.tunnel.frame.TunnelFrameCodec;
import io.iploop.tunnel.frame.TunnelProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Typed payloads of docs/protocol.md §4. Decoders read only within the payload's bounds (already
 * checked by {@link TunnelFrameCodec}), reject malformed UTF-8, control characters and trailing
 * bytes, and raise {@link TunnelProtocolException} naming the field. Stateless.
 */
public final class Payloads {

    /** Longest message text in OPEN_FAIL and CLOSE, in bytes. */
    public static final int MAX_MESSAGE_BYTES = 1024;

    private Payloads() {}

    /** A decoded OPEN: destination host (validated) and port 1-65535. */
    public record Open(String host, int port) {}

    /** A decoded OPEN_FAIL. */
    public record OpenFail(OpenFailure reason, String message) {}

    /** A decoded CLOSE: {@code error} is null for a graceful close. */
    public record Close(@Nullable String error) {}

    // ---- HELLO: u16 version, 8 short strings, u32 asn, 2 short strings, u8 flags[, port policy] ----

    /** HELLO flag: the agent is the platform's local exit. */
    private static final int HELLO_LOCAL_EXIT = 1;
    /** HELLO flag: a port policy follows the flags (docs/protocol.md §4.1). */
    private static final int HELLO_PORT_POLICY = 2;

    public static ByteBuf encodeHello(ByteBufAllocator alloc, Hello h) {
        ByteBuf b = alloc.buffer(256);
        b.writeShort(h.protocolVersion());
        writeShortString(b, "nodeKey", h.nodeKey());
        writeShortString(b, "deviceId", h.deviceId());
        writeShortString(b, "deviceName", h.deviceName());
        writeShortString(b, "platform", h.platform());
        writeShortString(b, "agentVersion", h.agentVersion());
        writeShortString(b, "country", h.country());
        writeShortString(b, "region", h.region());
        writeShortString(b, "city", h.city());
        b.writeInt(h.asn());
        writeShortString(b, "isp", h.isp());
        writeShortString(b, "connectionType", h.connectionType());
        PortPolicy ports = h.allowedPorts();
        b.writeByte((h.localExit() ? HELLO_LOCAL_EXIT : 0) | (ports.isAll() ? 0 : HELLO_PORT_POLICY));
        if (!ports.isAll()) {
            b.writeByte(ports.rangeCount());
            for (int i = 0; i < ports.rangeCount(); i++) {
                b.writeShort(ports.first(i));
                b.writeShort(ports.last(i));
            }
        }
        return b;
    }

    public static Hello decodeHello(ByteBuf p) {
        int version = readUnsignedShort(p, "protocolVersion");
        String nodeKey = requireNonEmpty(readShortString(p, "nodeKey"), "nodeKey");
        String deviceId = requireNonEmpty(readShortString(p, "deviceId"), "deviceId");
        String deviceName = readShortString(p, "deviceName");
        String platform = readShortString(p, "platform");
        String agentVersion = readShortString(p, "agentVersion");
        String country = readShortString(p, "country");
        String region = readShortString(p, "region");
        String city = readShortString(p, "city");
        if (p.readableBytes() < 4) {
            throw new TunnelProtocolException("HELLO: truncated at asn");
        }
        long asn = p.readUnsignedInt();
        if (asn > Integer.MAX_VALUE) {
            throw new TunnelProtocolException("HELLO: asn " + asn + " (expected: 0-" + Integer.MAX_VALUE + ")");
        }
        String isp = readShortString(p, "isp");
        String connectionType = readShortString(p, "connectionType");
        if (p.readableBytes() < 1) {
            throw new TunnelProtocolException("HELLO: truncated at flags");
        }
        int flags = p.readUnsignedByte();
        if ((flags & ~(HELLO_LOCAL_EXIT | HELLO_PORT_POLICY)) != 0) {
            throw new TunnelProtocolException("HELLO: unknown flags 0x" + Integer.toHexString(flags));
        }
        PortPolicy ports = (flags & HELLO_PORT_POLICY) != 0 ? decodePortPolicy(p) : PortPolicy.ALL;
        requireEnd(p, "HELLO");
        return new Hello(version, nodeKey, deviceId, deviceName, platform, agentVersion, country, region, city,
                (int) asn, isp, connectionType, (flags & HELLO_LOCAL_EXIT) != 0, ports);
    }

    /** {@code u8 count} (1-64), then count × ({@code u16 first}, {@code u16 last}), ascending, disjoint. */
    private static PortPolicy decodePortPolicy(ByteBuf p) {
        if (p.readableBytes() < 1) {
            throw new TunnelProtocolException("HELLO: truncated at port policy");
        }
        int n = p.readUnsignedByte();
        if (n < 1 || n > PortPolicy.MAX_RANGES) {
            throw new TunnelProtocolException("HELLO: " + n + " port ranges (expected: 1-" + PortPolicy.MAX_RANGES + ")");
        }
        if (p.readableBytes() < 4 * n) {
            throw new TunnelProtocolException("HELLO: truncated in port ranges");
        }
        java.util.List<int[]> ranges = new java.util.ArrayList<>(n);
        int previousLast = 0;
        for (int i = 0; i < n; i++) {
            int first = p.readUnsignedShort();
            int last = p.readUnsignedShort();
            if (first < 1 || last < first || first <= previousLast) {
                throw new TunnelProtocolException("HELLO: port range " + first + "-" + last
                        + " (expected: ascending, disjoint ranges within 1-65535)");
            }
            previousLast = last;
            ranges.add(new int[] {first, last});
        }
        return PortPolicy.of(ranges);
    }

    // ---- WELCOME: u16 version, short string nodeId, u32 heartbeat ms ----

    public static ByteBuf encodeWelcome(ByteBufAllocator alloc, Welcome w) {
        ByteBuf b = alloc.buffer(64);
        b.writeShort(w.protocolVersion());
        writeShortString(b, "nodeId", w.nodeId());
        b.writeInt(w.heartbeatIntervalMillis());
        return b;
    }

    public static Welcome decodeWelcome(ByteBuf p) {
        int version = readUnsignedShort(p, "protocolVersion");
        String nodeId = requireNonEmpty(readShortString(p, "nodeId"), "nodeId");
        if (p.readableBytes() < 4) {
            throw new TunnelProtocolException("WELCOME: truncated at heartbeat interval");
        }
        long heartbeat = p.readUnsignedInt();
        if (heartbeat < 1000 || heartbeat > 600_000) {
            throw new TunnelProtocolException("WELCOME: heartbeat interval " + heartbeat + " ms (expected: 1000-600000)");
        }
        requireEnd(p, "WELCOME");
        return new Welcome(version, nodeId, (int) heartbeat);
    }

    // ---- OPEN: u16 port, u8 host length, host (letters, digits, . - _ :) ----

    public static ByteBuf encodeOpen(ByteBufAllocator alloc, String host, int port) {
        byte[] h = host.getBytes(StandardCharsets.US_ASCII);
        if (h.length == 0 || h.length > 255) {
            throw new IllegalArgumentException("host: " + h.length + " bytes (expected: 1-255)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
        ByteBuf b = alloc.buffer(3 + h.length);
        b.writeShort(port);
        b.writeByte(h.length);
        b.writeBytes(h);
        return b;
    }

    public static Open decodeOpen(ByteBuf p) {
        int port = p.readUnsignedShort();
        int len = p.readUnsignedByte();
        if (port == 0) {
            throw new TunnelProtocolException("OPEN: port 0 (expected: 1-65535)");
        }
        if (len == 0 || len != p.readableBytes()) {
            throw new TunnelProtocolException("OPEN: host length " + len + " with " + p.readableBytes() + " bytes left");
        }
        for (int i = p.readerIndex(); i < p.writerIndex(); i++) {
            if (!isHostByte(p.getByte(i))) {
                throw new TunnelProtocolException("OPEN: host has a byte 0x" + Integer.toHexString(p.getByte(i) & 0xFF)
                        + " outside [A-Za-z0-9.:_-]");
            }
        }
        String host = p.readCharSequence(len, StandardCharsets.US_ASCII).toString();
        return new Open(host, port);
    }

    /** True if {@code host} can travel in OPEN (ASCII letters, digits, {@code . : _ -}; 1-255 bytes). */
    public static boolean isValidHost(String host) {
        if (host.isEmpty() || host.length() > 255) {
            return false;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c > 127 || !isHostByte((byte) c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHostByte(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || b == '.' || b == '-' || b == '_' || b == ':';
    }

    // ---- OPEN_FAIL: u8 reason, UTF-8 message ----

    public static ByteBuf encodeOpenFail(ByteBufAllocator alloc, OpenFailure reason, String message) {
        ByteBuf b = alloc.buffer(1 + Math.min(message.length() * 3, MAX_MESSAGE_BYTES));
        b.writeByte(reason.code());
        writeMessage(b, message);
        return b;
    }

    public static OpenFail decodeOpenFail(ByteBuf p) {
        int code = p.readUnsignedByte();
        OpenFailure reason;
        try {
            reason = OpenFailure.ofCode(code);
        } catch (IllegalArgumentException e) {
            throw new TunnelProtocolException("OPEN_FAIL: " + e.getMessage());
        }
        return new OpenFail(reason, readMessage(p, "OPEN_FAIL"));
    }

    // ---- CLOSE: u8 code (0 graceful, 1 error), UTF-8 message ----

    public static ByteBuf encodeClose(ByteBufAllocator alloc, @Nullable String error) {
        ByteBuf b = alloc.buffer(error == null ? 1 : 1 + Math.min(error.length() * 3, MAX_MESSAGE_BYTES));
        b.writeByte(error == null ? 0 : 1);
        if (error != null) {
            writeMessage(b, error);
        }
        return b;
    }

    public static Close decodeClose(ByteBuf p) {
        int code = p.readUnsignedByte();
        if (code > 1) {
            throw new TunnelProtocolException("CLOSE: code " + code + " (expected: 0 or 1)");
        }
        String message = readMessage(p, "CLOSE");
        if (code == 0 && !message.isEmpty()) {
            throw new TunnelProtocolException("CLOSE: a graceful close carries no message");
        }
        return new Close(code == 0 ? null : (message.isEmpty() ? "closed with error" : message));
    }

    // ---- WINDOW: u32 increment > 0; PING/PONG: u64; DRAIN: u32 ms ----

    public static ByteBuf encodeInt(ByteBufAllocator alloc, int value) {
        return alloc.buffer(4).writeInt(value);
    }

    public static ByteBuf encodeLong(ByteBufAllocator alloc, long value) {
        return alloc.buffer(8).writeLong(value);
    }

    /** Reads WINDOW's increment: 1 .. 2^31-1 bytes. */
    public static int decodeWindow(ByteBuf p) {
        long v = p.readUnsignedInt();
        if (v == 0 || v > Integer.MAX_VALUE) {
            throw new TunnelProtocolException("WINDOW: increment " + v + " (expected: 1-" + Integer.MAX_VALUE + ")");
        }
        return (int) v;
    }

    /** Reads DRAIN's deadline in ms: 0 .. 3 600 000. */
    public static int decodeDrain(ByteBuf p) {
        long v = p.readUnsignedInt();
        if (v > 3_600_000) {
            throw new TunnelProtocolException("DRAIN: deadline " + v + " ms (expected: 0-3600000)");
        }
        return (int) v;
    }

    // ---- helpers ----

    private static void writeShortString(ByteBuf b, String field, @Nullable String s) {
        if (s == null) {
            b.writeByte(0);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > Hello.MAX_FIELD_BYTES) {
            throw new IllegalArgumentException(field + ": " + bytes.length + " bytes (expected: <= " + Hello.MAX_FIELD_BYTES + ")");
        }
        b.writeByte(bytes.length);
        b.writeBytes(bytes);
    }

    private static @Nullable String readShortString(ByteBuf p, String field) {
        if (p.readableBytes() < 1) {
            throw new TunnelProtocolException("truncated at " + field);
        }
        int len = p.readUnsignedByte();
        if (len > p.readableBytes()) {
            throw new TunnelProtocolException(field + ": length " + len + " exceeds the " + p.readableBytes() + " bytes left");
        }
        if (len == 0) {
            return null;
        }
        return decodeText(p, len, field);
    }

    private static void writeMessage(ByteBuf b, String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(bytes.length, MAX_MESSAGE_BYTES);
        // Cut on a character boundary so the receiver's strict decoder accepts it.
        while (n > 0 && n < bytes.length && (bytes[n] & 0xC0) == 0x80) {
            n--;
        }
        b.writeBytes(bytes, 0, n);
    }

    private static String readMessage(ByteBuf p, String frame) {
        if (p.readableBytes() > MAX_MESSAGE_BYTES) {
            throw new TunnelProtocolException(frame + ": message of " + p.readableBytes() + " bytes (expected: <= " + MAX_MESSAGE_BYTES + ")");
        }
        return p.readableBytes() == 0 ? "" : decodeText(p, p.readableBytes(), frame + " message");
    }

    private static String decodeText(ByteBuf p, int len, String field) {
        ByteBuffer nio = p.nioBuffer(p.readerIndex(), len);
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(nio)
                    .toString();
        } catch (CharacterCodingException e) {
            throw new TunnelProtocolException(field + ": malformed UTF-8");
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                throw new TunnelProtocolException(field + ": control character at " + i);
            }
        }
        p.skipBytes(len);
        return s;
    }

    private static int readUnsignedShort(ByteBuf p, String field) {
        if (p.readableBytes() < 2) {
            throw new TunnelProtocolException("truncated at " + field);
        }
        return p.readUnsignedShort();
    }

    private static String requireNonEmpty(@Nullable String s, String field) {
        if (s == null) {
            throw new TunnelProtocolException(field + ": empty (expected: a value)");
        }
        return s;
    }

    private static void requireEnd(ByteBuf p, String frame) {
        if (p.isReadable()) {
            throw new TunnelProtocolException(frame + ": " + p.readableBytes() + " unexpected trailing bytes");
        }
    }
}
