package io.iploop.tunnel.egress;

import java.net.IDN;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which destinations an exit may connect to (DESIGN §6). Refuses loopback, private (RFC 1918),
 * CGNAT (RFC 6598), link-local (including 169.254.169.254), multicast, reserved and documentation
 * ranges, their IPv6 equivalents (including the IPv4-mapped, NAT64 and 6to4 forms of those), and the
 * SMTP ports 25, 465 and 587; an admin blocklist of domains and CIDRs applies on top.
 * {@code allowLoopback} (IPLOOP_EGRESS_ALLOW_LOOPBACK, tests and local trials only) lets loopback
 * through and nothing else.
 *
 * <p>Callers resolve with {@link #resolve} and connect to the returned address, so there is no
 * window between the check and the connect for DNS rebinding. Immutable and thread-safe.
 */
public final class EgressPolicy {

    /** RFC 6890 special-purpose blocks and the other ranges DESIGN §6 names. */
    private static final List<Cidr> FORBIDDEN = parseAll(List.of(
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
            "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
            "::/128", "100::/64", "2001::/23", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8"));

    private static final Cidr LOOPBACK_V4 = Cidr.parse("127.0.0.0/8");
    private static final Cidr LOOPBACK_V6 = Cidr.parse("::1/128");
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
    private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");

    /** SMTP submission and relay ports (DESIGN §6). */
    private static final Set<Integer> FORBIDDEN_PORTS = Set.of(25, 465, 587);

    private final boolean allowLoopback;
    private final List<String> blockedDomains;
    private final List<Cidr> blockedCidrs;

    /**
     * @param allowLoopback let loopback destinations through (never in production)
     * @param blockedDomains admin blocklist; {@code example.com} also blocks its subdomains
     * @param blockedCidrs admin blocklist of address blocks
     * @throws IllegalArgumentException naming a malformed CIDR
     */
    public EgressPolicy(boolean allowLoopback, Collection<String> blockedDomains, Collection<String> blockedCidrs) {
        this.allowLoopback = allowLoopback;
        this.blockedDomains = blockedDomains.stream().map(d -> normalizeHost(d)).toList();
        this.blockedCidrs = parseAll(blockedCidrs);
    }

    /** The policy with no admin blocklist. */
    public static EgressPolicy standard(boolean allowLoopback) {
        return new EgressPolicy(allowLoopback, List.of(), List.of());
    }

    /** True if loopback targets are allowed (the test switch). */
    public boolean allowsLoopback() {
        return allowLoopback;
    }

    /**
     * Resolves {@code host} (blocking, for a literal no lookup is made) and returns the first
     * address the policy allows, to connect to directly.
     *
     * @throws EgressDeniedException if the port, the domain or every resolved address is forbidden
     * @throws UnknownHostException if the name does not resolve
     */
    public InetSocketAddress resolve(String host, int port) throws EgressDeniedException, UnknownHostException {
        String portDenial = checkPort(port);
        if (portDenial != null) {
            throw new EgressDeniedException(portDenial);
        }
        String name = normalizeHost(host);
        String domainDenial = checkDomain(name);
        if (domainDenial != null) {
            throw new EgressDeniedException(domainDenial);
        }
        InetAddress[] addresses = InetAddress.getAllByName(name);
        String firstDenial = null;
        for (InetAddress address : addresses) {
            String denial = checkAddress(address);
            if (denial == null) {
                return new InetSocketAddress(address, port);
            }
            if (firstDenial == null) {
                firstDenial = denial;
            }
        }
        throw new EgressDeniedException(firstDenial == null ? "no address for " + name : firstDenial);
    }

    /** Null if {@code port} may be reached, else why not. */
    public @Nullable String checkPort(int port) {
        if (port < 1 || port > 65535) {
            return "port " + port + " is out of range (expected: 1-65535)";
        }
        if (FORBIDDEN_PORTS.contains(port)) {
            return "port " + port + " (SMTP) is forbidden for exits";
        }
        return null;
    }

    /** Null if the (normalized) domain is not on the admin blocklist, else why not. */
    public @Nullable String checkDomain(String host) {
        String name = normalizeHost(host);
        for (String blocked : blockedDomains) {
            if (name.equals(blocked) || name.endsWith("." + blocked)) {
                return "destination " + name + " is on the blocklist";
            }
        }
        return null;
    }

    /** Null if {@code address} may be reached, else why not. */
    public @Nullable String checkAddress(InetAddress address) {
        InetAddress embedded = embeddedIpv4(address);
        if (embedded != null) {
            String denial = checkAddress(embedded);
            if (denial != null) {
                return denial;
            }
        }
        if (LOOPBACK_V4.contains(address) || LOOPBACK_V6.contains(address)) {
            return allowLoopback ? null : "loopback address " + address.getHostAddress() + " is forbidden for exits";
        }
        for (Cidr cidr : FORBIDDEN) {
            if (cidr.contains(address)) {
                return "address " + address.getHostAddress() + " is in the reserved range " + cidr;
            }
        }
        for (Cidr cidr : blockedCidrs) {
            if (cidr.contains(address)) {
                return "address " + address.getHostAddress() + " is on the blocklist (" + cidr + ")";
            }
        }
        return null;
    }

    /**
     * The IPv4 address carried inside a NAT64 or 6to4 IPv6 address, else null. (IPv4-mapped
     * {@code ::ffff:a.b.c.d} needs no case: the JDK already turns it into an Inet4Address.)
     */
    private static @Nullable InetAddress embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return null;
        }
        byte[] b = address.getAddress();
        byte[] v4;
        if (NAT64.contains(address)) {
            v4 = new byte[] {b[12], b[13], b[14], b[15]};
        } else if (SIX_TO_FOUR.contains(address)) {
            v4 = new byte[] {b[2], b[3], b[4], b[5]};
        } else {
            return null;
        }
        try {
            return Inet4Address.getByAddress(v4);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String normalizeHost(String host) {
        String h = host.strip();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (Cidr.isAddressLiteral(h)) {
            return h;
        }
        return IDN.toASCII(h, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
    }

    private static List<Cidr> parseAll(Collection<String> texts) {
        List<Cidr> out = new ArrayList<>(texts.size());
        for (String t : texts) {
            out.add(Cidr.parse(t));
        }
        return List.copyOf(out);
    }
}
