package io.iploop.gateway.egress;

import io.iploop.gateway.spi.BlockedDestination;
import io.iploop.gateway.spi.EgressBlocklist;
import io.iploop.tunnel.egress.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's copy of the destination blocklist: fetched from the {@link EgressBlocklist} on
 * {@code executor} (never an event loop) at start and every {@code refreshInterval}; a failed fetch
 * keeps the last list. {@link #match} reads a volatile snapshot, so it never blocks and costs one
 * pass over the entries. Only what the customer names is checked: a host name against host
 * entries, an address literal against CIDR entries; names are not resolved here (node exits
 * resolve at the agent; see {@code docs/security.md}). Thread-safe.
 */
public final class DestinationBlocklist implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DestinationBlocklist.class);

    private final EgressBlocklist source;
    private final Executor executor;
    private final @Nullable ScheduledExecutorService timer;
    private volatile List<Rule> rules;

    /** Starts refreshing at once; the first list arrives asynchronously (use {@link #refreshNow()} to wait). */
    public DestinationBlocklist(EgressBlocklist source, Executor executor, Duration refreshInterval) {
        this.source = source;
        this.executor = executor;
        this.rules = List.of();
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("iploop-blocklist-refresh").factory());
        long millis = Math.max(1, refreshInterval.toMillis());
        timer.scheduleWithFixedDelay(this::refreshAsync, 0, millis, TimeUnit.MILLISECONDS);
    }

    private DestinationBlocklist(List<Rule> fixed) {
        this.source = EgressBlocklist.EMPTY;
        this.executor = Runnable::run;
        this.rules = fixed;
        this.timer = null; // a refresh racing the fixed list would replace it with the empty source's
    }

    /** A blocklist of fixed entries that never refreshes (tests). */
    public static DestinationBlocklist of(List<BlockedDestination> entries) {
        return new DestinationBlocklist(compile(entries));
    }

    /**
     * @param host the target as the customer named it: a host name, an IPv4 literal or an IPv6
     *     literal (with or without brackets)
     * @param port the target port, 1-65535
     * @return the first entry that matches, or null if the target is not blocked
     */
    public @Nullable BlockedDestination match(String host, int port) {
        List<Rule> snapshot = rules;
        if (snapshot.isEmpty()) {
            return null;
        }
        String h = normalize(host);
        InetAddress literal = literal(h);
        for (Rule r : snapshot) {
            if (r.matches(h, literal, port)) {
                return r.entry();
            }
        }
        return null;
    }

    /** Fetches the list now on the calling thread; keeps the last list if the fetch fails. */
    public void refreshNow() {
        if (timer == null) {
            return;
        }
        try {
            rules = compile(source.entries());
        } catch (Exception e) {
            log.warn("refreshing the destination blocklist failed; keeping the last {} entries: {}", rules.size(),
                    e.toString());
        }
    }

    private void refreshAsync() {
        try {
            executor.execute(this::refreshNow);
        } catch (RejectedExecutionException e) {
            log.debug("blocklist refresh skipped: executor shut down");
        }
    }

    /** Entries that cannot be compiled (an unparsable CIDR) are logged and skipped, never fatal. */
    static List<Rule> compile(List<BlockedDestination> entries) {
        List<Rule> out = new ArrayList<>(entries.size());
        for (BlockedDestination e : entries) {
            try {
                String host = e.host();
                String cidrText = e.cidr();
                Cidr cidr = cidrText == null ? null : Cidr.parse(cidrText);
                if (host == null) {
                    out.add(new Rule(e, null, false, cidr));
                } else {
                    String h = normalize(host);
                    boolean suffix = h.startsWith("*.");
                    out.add(new Rule(e, suffix ? h.substring(1) : h, suffix, null));
                }
            } catch (IllegalArgumentException ex) {
                log.warn("blocklist entry {} skipped: {}", e, ex.getMessage());
            }
        }
        return List.copyOf(out);
    }

    static String normalize(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.endsWith(".") && h.length() > 1) {
            h = h.substring(0, h.length() - 1);
        }
        return h.toLowerCase(Locale.ROOT);
    }

    /** The address of an IP literal (never a lookup), or null for a host name. */
    private static @Nullable InetAddress literal(String host) {
        if (!Cidr.isAddressLiteral(host)) {
            return null;
        }
        try {
            return InetAddress.getByName(host); // a literal: parsed, not resolved
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /**
     * @param host a lower-case exact name, or for a suffix pattern the suffix with its leading dot
     */
    record Rule(BlockedDestination entry, @Nullable String host, boolean suffix, @Nullable Cidr cidr) {

        boolean matches(String targetHost, @Nullable InetAddress literal, int port) {
            if (entry.port() != 0 && entry.port() != port) {
                return false;
            }
            if (host != null) {
                return suffix ? targetHost.endsWith(host) : targetHost.equals(host);
            }
            if (cidr != null) {
                return literal != null && cidr.contains(literal);
            }
            return true; // a port-only entry
        }
    }
}
