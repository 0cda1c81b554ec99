package io.iploop.gateway.proxy;

import io.iploop.gateway.net.ProxyProtocol;
import io.iploop.gateway.limits.AccountLimiter;
import io.iploop.gateway.limits.SubUserLimiter;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One customer connection: its id (for per-connection rotation), the bytes read from and written
 * to the customer socket (where usage is metered), and the customer once authenticated. Usage
 * records take the bytes as deltas between "cuts", one cut per exit stream.
 *
 * <p>Not thread-safe: used only on the connection's event loop.
 */
public final class ProxyConnection {

    /** Where a customer channel keeps its connection. */
    public static final AttributeKey<ProxyConnection> KEY = AttributeKey.valueOf(ProxyConnection.class, "connection");

    private final long id;
    private final String proxyType;
    private final InetAddress clientAddress;
    /** The upstream-pool port the connection came in on, 0 for none. */
    private final int poolPort;
    private long bytesRead;
    private long bytesWritten;
    private long cutRead;
    private long cutWritten;
    private @Nullable CustomerPrincipal principal;
    /** SHA-256 (hex) of the API key the customer authenticated with, or null. */
    private @Nullable String apiKeySha256Hex;
    private Targeting targeting = Targeting.NONE;
    /** The account whose concurrency slot this connection holds, and whose byte budget it spends. */
    private @Nullable AccountLimiter limiter;
    /** The sub-user whose own byte budget the current request also spends (docs/sub-users.md), or null. */
    private @Nullable SubUserLimiter subLimiter;
    /** The sub-user whose own concurrency slot this connection holds (docs/sub-users.md#limits), or null. */
    private @Nullable SubUserLimiter subSlot;
    /** Bytes carried before the connection held a slot, spent when it takes one. */
    private long unspent;
    /** Whether the current request passed the plan check (only then is a stream cut). */
    private boolean admitted;
    /** Premium (credit-paid) targeting of the current request, {@link AccountLimiter#premiumMask}. Event loop only. */
    private int premiumMask;
    /** Bytes read + written when the raw tunnel started; -1 while no tunnel runs. */
    private long tunnelBase = -1;
    /** The stream emitting interim usage records, or null. */
    private InterimUsage.@Nullable Stream openStream;
    /** When the last interim record of the open stream ended; null if it has none yet. */
    private @Nullable Instant lastInterimAt;
    /** The tunnel's byte cap ({@link io.iploop.gateway.spi.AccountLimits#maxBytesPerTunnel()}); 0 = none. */
    private long tunnelMaxBytes;
    /** Bytes handed to the customer socket whose write has not completed; already spent ({@link #reserveWrite}). */
    private long queuedWrites;
    /**
     * Changes whenever the budgets {@link #reserveWrite} charges change (another account's or
     * sub-user's, or none), so a failed write refunds only the budgets it was charged to.
     */
    private int budgetEpoch;

    /**
     * @param proxyType {@code http} or {@code socks5}, as stored in usage records
     */
    public ProxyConnection(long id, String proxyType, InetAddress clientAddress) {
        this(id, proxyType, clientAddress, 0);
    }

    /**
     * @param poolPort the upstream-pool port the connection came in on (docs/upstream-pool.md#metering),
     *     0 for the residential listeners
     */
    public ProxyConnection(long id, String proxyType, InetAddress clientAddress, int poolPort) {
        this.id = id;
        this.proxyType = proxyType;
        this.clientAddress = clientAddress;
        this.poolPort = poolPort;
    }

    /** The upstream-pool port of the connection, 0 for the residential listeners. */
    public int poolPort() {
        return poolPort;
    }

    /** The connection of {@code channel}; set by the listener's initializer. */
    public static ProxyConnection of(Channel channel) {
        ProxyConnection c = channel.attr(KEY).get();
        if (c == null) {
            throw new IllegalStateException("channel without ProxyConnection: " + channel);
        }
        return c;
    }

    /**
     * The client's IP: a trusted load balancer's PROXY header source, else the socket peer
     * (loopback for non-IP transports); see {@link ProxyProtocol#clientAddress}.
     */
    public static InetAddress clientAddressOf(Channel channel) {
        return ProxyProtocol.clientAddress(channel);
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

    /** Bytes read from the customer socket so far, plus replayed bytes ({@link #meterOffSocket}). */
    public long bytesRead() {
        return bytesRead;
    }

    /**
     * Bytes written to the customer socket so far (counted when the write completed), plus
     * discarded blocked responses ({@link #meterOffSocket}).
     */
    public long bytesWritten() {
        return bytesWritten;
    }

    void addRead(long n) {
        bytesRead += n;
        interimCheck();
    }

    /**
     * Meters bytes an exit carried for this connection's customer that never crossed the customer
     * socket: a {@code rotate-on-block} retry's replayed request ({@code up}) and the blocked
     * response it discarded ({@code down}) (docs/rotate-on-block.md#metering). They count like
     * socket bytes: in the next usage record and against the account's (and a sub-user's) byte
     * budget, because the exit's operator is paid for what the node carried.
     *
     * @param up bytes sent to an exit, 0 or more
     * @param down bytes received from an exit, 0 or more
     * @return false once the account's budget is gone while an admitted request is carried (the
     *     caller cuts the connection, as {@link ProxyServerMeteringHandler} does)
     */
    public boolean meterOffSocket(long up, long down) {
        if (up < 0 || down < 0) {
            throw new IllegalArgumentException("negative byte count: " + up + ", " + down);
        }
        bytesRead += up;
        bytesWritten += down;
        interimCheck();
        return up + down == 0 || spend(up + down);
    }

    /** The byte trigger of interim usage records ({@link InterimUsage#MAX_BYTES}): one comparison. */
    private void interimCheck() {
        InterimUsage.Stream s = openStream;
        if (s != null && uncutBytes() >= InterimUsage.MAX_BYTES) {
            s.emit();
        }
    }

    /** Bytes (both directions) carried since the last cut. */
    long uncutBytes() {
        return bytesRead - cutRead + bytesWritten - cutWritten;
    }

    void openStream(InterimUsage.@Nullable Stream s) {
        openStream = s;
    }

    /** Start of the next record's period: the last interim record's end, else {@code streamStart}. */
    Instant periodStart(Instant streamStart) {
        Instant last = lastInterimAt;
        return last != null && last.isAfter(streamStart) ? last : streamStart;
    }

    /** An interim record ended at {@code at}; null once the stream's final record is built. */
    void interimCut(@Nullable Instant at) {
        lastInterimAt = at;
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

    /** SHA-256 (hex) of the API key of the last accepted credentials, or null. */
    public @Nullable String apiKeySha256Hex() {
        return apiKeySha256Hex;
    }

    public Targeting targeting() {
        return targeting;
    }

    /** The account limiter this connection holds a slot of, or null. */
    public @Nullable AccountLimiter limiter() {
        return limiter;
    }

    /**
     * Holds a concurrency slot of {@code next}, giving back a slot of another account (a
     * keep-alive connection reused with other credentials). Keeps the slot it already holds.
     *
     * @return false if {@code next} has no free slot
     */
    boolean holdSlot(AccountLimiter next) {
        if (limiter == next) {
            return true;
        }
        releaseSlot();
        if (!next.tryAcquire()) {
            return false;
        }
        limiter = next;
        budgetEpoch++;
        if (unspent > 0) {
            next.spend(unspent);
            unspent = 0;
        }
        return true;
    }

    /**
     * Holds a concurrency slot of the sub-user {@code next} (docs/sub-users.md#limits), in addition
     * to the account's ({@link #holdSlot}), giving back one of another sub-user (a keep-alive
     * connection reused with other credentials). Keeps the slot it already holds; {@code null} (the
     * account's own key) just gives back a held one.
     *
     * @return false if {@code next} has no free slot
     */
    boolean holdSubSlot(@Nullable SubUserLimiter next) {
        if (subSlot == next) {
            return true;
        }
        releaseSubSlot();
        if (next == null) {
            return true;
        }
        if (!next.tryAcquire()) {
            return false;
        }
        subSlot = next;
        return true;
    }

    private void releaseSubSlot() {
        SubUserLimiter s = subSlot;
        subSlot = null;
        if (s != null) {
            s.release();
        }
    }

    /**
     * Spends {@code bytes} of the held account's byte budget (kept for later without a slot).
     *
     * @return false once the account's budget is gone while an admitted request is carried: the
     *     stream is to be cut (a refusal being written is not)
     */
    boolean spend(long bytes) {
        AccountLimiter l = limiter;
        if (l == null) {
            unspent += bytes;
            return true;
        }
        boolean withinTunnelCap = tunnelBase < 0 || tunnelMaxBytes <= 0
                || bytesRead + bytesWritten + queuedWrites - tunnelBase <= tunnelMaxBytes;
        SubUserLimiter sub = subLimiter;
        // Both budgets are spent (no short-circuit): the account pays for its sub-users' bytes.
        boolean accountLeft = l.spend(bytes);
        if (premiumMask != 0 && admitted) {
            l.premiumCarried(premiumMask);
        }
        boolean subUserLeft = sub == null || sub.spend(bytes);
        return ((accountLeft && subUserLeft) || !admitted) && withinTunnelCap;
    }

    /**
     * Spends {@code bytes} about to be written to the customer socket before they are queued, so
     * that a download stops exactly at the budget instead of after everything queued behind it
     * (docs/architecture.md, "Metering"). While an admitted request is carried, only what the
     * account's budget, a sub-user's and the tunnel's byte cap all still allow is spent; the
     * caller writes that many bytes and cuts the connection after them if they are fewer. Pair
     * the bytes reserved with {@link #writeCompleted} or {@link #writeFailed}.
     *
     * @return the bytes that may be written, 0 to {@code bytes}
     */
    long reserveWrite(long bytes) {
        AccountLimiter l = limiter;
        if (l == null || !admitted) {
            spend(bytes);
            queuedWrites += bytes;
            return bytes;
        }
        long allowed = bytes;
        if (tunnelBase >= 0 && tunnelMaxBytes > 0) {
            long carried = bytesRead + bytesWritten + queuedWrites - tunnelBase;
            allowed = Math.min(allowed, Math.max(tunnelMaxBytes - carried, 0));
        }
        long taken = allowed == 0 ? 0 : l.take(allowed);
        SubUserLimiter sub = subLimiter;
        if (sub != null && taken > 0) {
            long subTaken = sub.take(taken);
            if (subTaken < taken) {
                l.refund(taken - subTaken);
                taken = subTaken;
            }
        }
        if (taken > 0 && premiumMask != 0) {
            l.premiumCarried(premiumMask);
        }
        queuedWrites += taken;
        return taken;
    }

    /** A write reserved with {@link #reserveWrite} reached the socket: its bytes are metered. */
    void writeCompleted(long bytes) {
        queuedWrites -= bytes;
        bytesWritten += bytes;
        interimCheck();
    }

    /**
     * A write reserved with {@link #reserveWrite} failed (the connection closed first): nothing
     * was carried, so its bytes go back to the budgets they were charged to, unless those are no
     * longer the connection's ({@code epoch} from {@link #budgetEpoch()} at the reservation), in
     * which case they stay spent: a refund must never reach another account's budget.
     */
    void writeFailed(long bytes, int epoch) {
        queuedWrites -= bytes;
        if (epoch == budgetEpoch) {
            refund(bytes);
        }
    }

    /** Identifies the budgets {@link #reserveWrite} charges now; read before it. */
    int budgetEpoch() {
        return budgetEpoch;
    }

    private void refund(long bytes) {
        AccountLimiter l = limiter;
        if (l == null) {
            unspent -= bytes;
            return;
        }
        l.refund(bytes);
        SubUserLimiter sub = subLimiter;
        if (sub != null) {
            sub.refund(bytes);
        }
    }

    /** Whether an admitted request or tunnel is being carried (its bytes may be cut). */
    boolean carrying() {
        return admitted && limiter != null;
    }

    /**
     * Marks the start of a raw tunnel (CONNECT, SOCKS5) capped at {@code maxBytes} in both
     * directions from now on (0 = uncapped); {@link #spend} then reports the cap like an
     * exhausted budget.
     */
    void tunnelStarted(long maxBytes) {
        tunnelBase = bytesRead + bytesWritten + queuedWrites;
        tunnelMaxBytes = maxBytes;
    }

    /**
     * The current HTTP exchange is complete: bytes read from now on belong to the next request,
     * which admission answers (402) instead of a cut.
     */
    public void exchangeCompleted() {
        admitted = false;
    }

    void admitted(boolean v) {
        admitted = v;
    }

    /**
     * The targeting options of the current request paid from credits (bit mask of
     * {@link AccountLimiter#premiumMask}); its traffic is reported as premium use.
     */
    void premiumMask(int v) {
        premiumMask = v;
    }

    /** The sub-user of the current request (null: the account's own key); set before the plan check. */
    void subLimiter(@Nullable SubUserLimiter v) {
        if (v != subLimiter) {
            budgetEpoch++;
        }
        subLimiter = v;
    }

    /** Gives the held slots (the account's and a sub-user's) back; call when the connection closes. */
    void releaseSlot() {
        releaseSubSlot();
        AccountLimiter l = limiter;
        limiter = null;
        if (l != null) {
            budgetEpoch++;
            l.release();
        }
    }

    /** Records the authenticated customer and the targeting of the current request. */
    public void authenticated(CustomerPrincipal principal, Targeting targeting) {
        this.principal = principal;
        this.targeting = targeting;
    }

    /**
     * As {@link #authenticated(CustomerPrincipal, Targeting)}, also keeping the key's hash (null if
     * unknown) so open tunnels can be re-checked ({@link TunnelRevocation}).
     */
    public void authenticated(CustomerPrincipal principal, Targeting targeting, @Nullable String apiKeySha256Hex) {
        authenticated(principal, targeting);
        this.apiKeySha256Hex = apiKeySha256Hex;
    }
}
