package io.iploop.tunnel.egress;

import java.net.IDN;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which destinations an exit may connect to (docs/security.md#exits-the-data-plane). Refuses
 * loopback, private (RFC 1918), CGNAT (RFC 6598), link-local (including 169.254.169.254), multicast,
 * reserved and documentation ranges and the other blocks of the IANA IPv4 and IPv6 special-purpose
 * registries (RFC 6890) that are not globally reachable, the IPv6 forms that carry an IPv4 address
 * (IPv4-mapped and well-known NAT64 {@code 64:ff9b::/96} and 6to4 {@code 2002::/16} when the
 * carried address is refused; IPv4-compatible {@code ::/96}, IPv4-translated {@code ::ffff:0:0:0/96}
 * (RFC 2765), local-use NAT64 {@code 64:ff9b:1::/48} (RFC 8215) and Teredo {@code 2001::/32} always),
 * and the SMTP ports 25, 465 and 587; an admin blocklist of domains and CIDRs applies on top.
 * {@code allowLoopback} (IPLOOP_EGRESS_ALLOW_LOOPBACK, tests and local trials only) lets loopback
 * through and nothing else; even then the platform's own ports on this host
 * ({@link #withProtectedLocalPorts}: the control plane's HTTP port, the node hub, the database) stay
 * out of reach.
 *
 * <p>Callers resolve with {@link #resolve} and connect to the returned address, so there is no
 * window between the check and the connect for DNS rebinding. The messages of
 * {@link EgressDeniedException}s from {@link #resolve} reach the customer, so they never name an
 * address a name resolved to (that would reveal the exit's private network). Immutable and
 * thread-safe.
 */
public final class EgressPolicy {

    /**
     * The IANA IPv4 and IPv6 special-purpose address registries (RFC 6890 and later entries) minus
     * the few globally reachable ones, plus multicast and the deprecated ranges
     * (docs/security.md#exits-the-data-plane).
     */
    private static final List<Cidr> FORBIDDEN = parseAll(List.of(
            // IPv4: "this network", RFC 1918, CGNAT, link-local, IETF protocol assignments, documentation,
            // the deprecated 6to4 relay anycast, benchmarking, multicast, reserved and broadcast.
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
            "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
            // IPv6: IPv4-compatible (deprecated, RFC 4291 §2.5.5.1; includes the unspecified ::),
            // IPv4-translated (RFC 2765), local-use NAT64 (RFC 8215), discard-only (RFC 6666), dummy
            // prefix (RFC 9780), IETF protocol assignments including Teredo 2001::/32 (RFC 4380),
            // documentation (RFC 3849, RFC 9637), SRv6 SIDs (RFC 9602), unique-local, link-local,
            // site-local (deprecated) and multicast.
            "::/96", "::ffff:0:0:0/96", "64:ff9b:1::/48", "100::/64", "100:0:0:1::/64", "2001::/23",
            "2001:db8::/32", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8"));

    private static final Cidr LOOPBACK_V4 = Cidr.parse("127.0.0.0/8");
    private static final Cidr LOOPBACK_V6 = Cidr.parse("::1/128");
    private static final Cidr IPV4_MAPPED = Cidr.parse("::ffff:0:0/96");
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
    private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");

    /** SMTP submission and relay ports: an exit must not send spam. */
    private static final Set<Integer> FORBIDDEN_PORTS = Set.of(25, 465, 587);

    private final boolean allowLoopback;
    private final List<String> blockedDomains;
    private final List<Cidr> blockedCidrs;
    private final Set<Integer> protectedLocalPorts;

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
        this.protectedLocalPorts = Set.of();
    }

    private EgressPolicy(EgressPolicy base, Set<Integer> protectedLocalPorts) {
        this.allowLoopback = base.allowLoopback;
        this.blockedDomains = base.blockedDomains;
        this.blockedCidrs = base.blockedCidrs;
        this.protectedLocalPorts = Set.copyOf(protectedLocalPorts);
    }

    /**
     * This policy, also refusing {@code ports} on every address of this host (loopback, the
     * unspecified address and the addresses of its network interfaces), whatever
     * {@code allowLoopback} says: the platform's own listeners (control-plane HTTP, node hub,
     * embedded database) must never be reachable through an exit that runs beside them.
     *
     * @param ports TCP ports 1-65535; values outside are ignored (0 means "not listening")
     */
    public EgressPolicy withProtectedLocalPorts(Collection<Integer> ports) {
        Set<Integer> valid = new HashSet<>(protectedLocalPorts);
        for (Integer p : ports) {
            if (p != null && p >= 1 && p <= 65535) {
                valid.add(p);
            }
        }
        return new EgressPolicy(this, valid);
    }

    /** The ports {@link #withProtectedLocalPorts} protects; immutable. */
    public Set<Integer> protectedLocalPorts() {
        return protectedLocalPorts;
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
        boolean literal = Cidr.isAddressLiteral(name);
        InetAddress[] addresses = InetAddress.getAllByName(name);
        String firstDenial = null;
        for (InetAddress address : addresses) {
            String denial = checkAddress(address);
            if (denial == null) {
                denial = checkLocalPort(address, port);
            }
            if (denial == null) {
                return new InetSocketAddress(address, port);
            }
            if (firstDenial == null) {
                firstDenial = denial;
            }
        }
        if (firstDenial == null) {
            throw new EgressDeniedException("no address for " + name);
        }
        // A literal is the customer's own text; what a name resolved to at the exit is not theirs to see.
        throw new EgressDeniedException(literal ? firstDenial
                : "destination " + name + " resolves only to addresses exits may not reach (loopback, private, "
                        + "reserved, blocklisted or the platform's own ports)");
    }

    /**
     * Null unless {@code address} is this host's own and {@code port} one of the
     * {@link #withProtectedLocalPorts protected} ports, else why not. Checks the network interfaces
     * (a system call) only for a protected port.
     */
    public @Nullable String checkLocalPort(InetAddress address, int port) {
        if (!protectedLocalPorts.contains(port)) {
            return null;
        }
        InetAddress embedded = embeddedIpv4(address);
        if (embedded != null && checkLocalPort(embedded, port) != null) {
            return checkLocalPort(embedded, port);
        }
        boolean local = address.isLoopbackAddress() || address.isAnyLocalAddress();
        if (!local) {
            try {
                local = NetworkInterface.getByInetAddress(address) != null;
            } catch (SocketException e) {
                local = true; // cannot tell: refuse rather than risk the platform's own port
            }
        }
        return local ? "port " + port + " of this host belongs to the platform and is forbidden for exits" : null;
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
            // The loopback switch is for 127.0.0.0/8 and ::1 themselves, not for their IPv6 spellings.
            String denial = LOOPBACK_V4.contains(embedded)
                    ? "address " + address.getHostAddress() + " carries a loopback address and is forbidden for exits"
                    : checkAddress(embedded);
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
     * The IPv4 address carried inside an IPv4-mapped (RFC 4291 §2.5.5.2; the JDK turns parsed ones
     * into Inet4Address, but {@code Inet6Address.getByAddress} keeps them), well-known NAT64
     * (RFC 6052) or 6to4 (RFC 3056) IPv6 address, else null. The other IPv4-carrying forms are
     * refused whole by {@link #FORBIDDEN}.
     */
    private static @Nullable InetAddress embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return null;
        }
        byte[] b = address.getAddress();
        byte[] v4;
        if (NAT64.contains(address) || IPV4_MAPPED.contains(address)) {
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
