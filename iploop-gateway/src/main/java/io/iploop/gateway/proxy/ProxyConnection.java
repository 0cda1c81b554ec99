package io.iploop.gateway.proxy;

import io.iploop.gateway.auth.Targeting;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * One customer connection: its id (for per-connection rotation), the bytes read from and written
 * to the customer socket (DESIGN §5), and the customer once authenticated. Usage records take the
 * bytes as deltas between "cuts", one cut per exit stream.
 *
 * <p>Not thread-safe: used only on the connection's event loop.
 */
public final class ProxyConnection {

    /** Where a customer channel keeps its connection. */
    public static final AttributeKey<ProxyConnection> KEY = AttributeKey.valueOf(ProxyConnection.class, "connection");

    private final long id;
    private final String proxyType;
    private final InetAddress clientAddress;
    private long bytesRead;
    private long bytesWritten;
    private long cutRead;
    private long cutWritten;
    private @Nullable CustomerPrincipal principal;
    private Targeting targeting = Targeting.NONE;

    /**
     * @param proxyType {@code http} or {@code socks5}, as stored in usage records
     */
    public ProxyConnection(long id, String proxyType, InetAddress clientAddress) {
        this.id = id;
        this.proxyType = proxyType;
        this.clientAddress = clientAddress;
    }

    /** The connection of {@code channel}; set by the listener's initializer. */
    public static ProxyConnection of(Channel channel) {
        ProxyConnection c = channel.attr(KEY).get();
        if (c == null) {
            throw new IllegalStateException("channel without ProxyConnection: " + channel);
        }
        return c;
    }

    /** The client's IP (unresolved fallback for non-IP transports). */
    public static InetAddress clientAddressOf(Channel channel) {
        if (channel.remoteAddress() instanceof InetSocketAddress isa && isa.getAddress() != null) {
            return isa.getAddress();
        }
        return InetAddress.getLoopbackAddress();
    }

    public long id() {
        return id;
    }

    public String proxyType() {
        return proxyType;
    }

    public InetAddress clientAddress() {
        return clientAddress;
    }

    /** Bytes read from the customer socket so far. */
    public long bytesRead() {
        return bytesRead;
    }

    /** Bytes written to the customer socket so far (counted when the write completed). */
    public long bytesWritten() {
        return bytesWritten;
    }

    void addRead(long n) {
        bytesRead += n;
    }

    void addWritten(long n) {
        bytesWritten += n;
    }

    /** Bytes read since the last cut, and starts a new period. Pair with {@link #cutWritten()}. */
    long cutRead() {
        long d = bytesRead - cutRead;
        cutRead = bytesRead;
        return d;
    }

    long cutWritten() {
        long d = bytesWritten - cutWritten;
        cutWritten = bytesWritten;
        return d;
    }

    public @Nullable CustomerPrincipal principal() {
        return principal;
    }

    public Targeting targeting() {
        return targeting;
    }

    /** Records the authenticated customer and the targeting of the current request. */
    public void authenticated(CustomerPrincipal principal, Targeting targeting) {
        this.principal = principal;
        this.targeting = targeting;
    }
}
