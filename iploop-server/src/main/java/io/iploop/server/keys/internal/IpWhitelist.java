package io.iploop.server.keys.internal;

import io.iploop.server.keys.KeysException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An IP whitelist of a key or an account (at most 50 entries, docs/product/proxy.md#api-keys, docs/product/accounts.md#ip-whitelist):
 * IPv4 and IPv6 addresses and CIDR ranges. An empty whitelist allows every client. Entries are
 * parsed as literals only, never resolved through DNS. Immutable, thread-safe.
 */
final class IpWhitelist {

    /** docs/product/proxy.md#api-keys: at most 50 entries. */
    static final int MAX_ENTRIES = 50;

    private static final String OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(?:\\." + OCTET + "){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-f:.]+");
    private static final Pattern PREFIX = Pattern.compile("[0-9]{1,3}");

    private final List<Range> ranges;

    private IpWhitelist(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /**
     * Validates a whitelist given by a customer and returns it normalised (trimmed, lower case,
     * duplicates removed, order kept).
     *
     * @throws KeysException {@code INVALID_WHITELIST} naming {@code field} and the first bad entry,
     *     or the limit when there are more than {@link #MAX_ENTRIES}
     */
    static List<String> validate(List<String> entries, String field) {
        Set<String> normalised = new LinkedHashSet<>();
        for (String entry : entries) {
            String e = entry.strip().toLowerCase(Locale.ROOT);
            try {
                parse(e);
            } catch (IllegalArgumentException bad) {
                throw new KeysException(KeysException.Reason.INVALID_WHITELIST,
                        field + ": '" + entry + "' " + bad.getMessage(), field);
            }
            normalised.add(e);
        }
        if (normalised.size() > MAX_ENTRIES) {
            throw new KeysException(KeysException.Reason.INVALID_WHITELIST,
                    field + ": " + normalised.size() + " entries (expected: at most " + MAX_ENTRIES + ")", field);
        }
        return List.copyOf(normalised);
    }

    /** A whitelist from stored entries (validated when they were saved). */
    static IpWhitelist of(List<String> storedEntries) {
        List<Range> ranges = new ArrayList<>(storedEntries.size());
        for (String e : storedEntries) {
            ranges.add(parse(e));
        }
        return new IpWhitelist(ranges);
    }

    /**
     * Whether two stored (validated) entries share at least one address: one range holds the other,
     * as CIDR ranges either nest or are disjoint.
     */
    static boolean overlap(String a, String b) {
        Range ra = parse(a);
        Range rb = parse(b);
        if (ra.network().length != rb.network().length) {
            return false;
        }
        int shorter = Math.min(ra.prefix(), rb.prefix());
        return Arrays.equals(mask(ra.network(), shorter), mask(rb.network(), shorter));
    }

    /** True when the whitelist is empty or {@code client} falls in one of its entries. */
    boolean allows(InetAddress client) {
        if (ranges.isEmpty()) {
            return true;
        }
        byte[] address = client.getAddress();
        for (Range r : ranges) {
            if (r.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** Parses {@code address} or {@code address/prefix}; the message says what is wrong. */
    private static Range parse(String entry) {
        int slash = entry.indexOf('/');
        String literal = slash < 0 ? entry : entry.substring(0, slash);
        byte[] address = literal(literal);
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = entry.substring(slash + 1);
            if (!PREFIX.matcher(p).matches() || Integer.parseInt(p) > bits) {
                throw new IllegalArgumentException("has an invalid prefix length (expected: 0 to " + bits + ")");
            }
            prefix = Integer.parseInt(p);
            byte[] network = mask(address, prefix);
            if (!Arrays.equals(network, address)) {
                throw new IllegalArgumentException("has host bits set (did you mean " + hostAddress(network) + "/" + prefix + "?)");
            }
        }
        return new Range(address, prefix);
    }

    private static byte[] literal(String s) {
        if (IPV4.matcher(s).matches()) {
            return Inet4Address.ofLiteral(s).getAddress();
        }
        if (s.indexOf(':') >= 0 && IPV6_CHARS.matcher(s).matches()) {
            @Nullable InetAddress a;
            try {
                a = Inet6Address.ofLiteral(s);
            } catch (IllegalArgumentException notIpv6) {
                a = null;
            }
            if (a instanceof Inet6Address) {
                return a.getAddress();
            }
            if (a != null) {
                throw new IllegalArgumentException("is an IPv4-mapped IPv6 address (expected: the plain IPv4 form)");
            }
        }
        throw new IllegalArgumentException("is not an IPv4 or IPv6 address or CIDR range (e.g. 203.0.113.7, 10.0.0.0/8, 2001:db8::/32)");
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] network = address.clone();
        for (int i = 0; i < network.length; i++) {
            int keep = Math.clamp(prefix - i * 8L, 0, 8);
            network[i] &= (byte) (0xff << (8 - keep));
        }
        return network;
    }

    private static String hostAddress(byte[] address) {
        try {
            return InetAddress.getByAddress(address).getHostAddress();
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** One entry: a network address and its prefix length (the full length for one address). */
    private record Range(byte[] network, int prefix) {

        boolean contains(byte[] address) {
            return address.length == network.length && Arrays.equals(mask(address, prefix), network);
        }
    }
}
