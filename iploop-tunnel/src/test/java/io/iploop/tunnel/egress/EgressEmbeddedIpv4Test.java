package io.iploop.tunnel.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every IPv6 form that carries an IPv4 address is refused when the IPv4 address is
 * (docs/security.md#exits-the-data-plane): an
 * exit must not reach a private network through its NAT64, 6to4 or IPv4-mapped spelling. The forms
 * that are never globally routed (IPv4-compatible, IPv4-translated, local-use NAT64) are refused
 * whatever they carry.
 */
class EgressEmbeddedIpv4Test {

    private final EgressPolicy policy = EgressPolicy.standard(false);

    /** Addresses from the refused IPv4 blocks: RFC 1918, loopback, CGNAT, link-local, "this network". */
    @Provide
    Arbitrary<byte[]> refusedIpv4() {
        Arbitrary<Integer> octet = Arbitraries.integers().between(0, 255);
        return Arbitraries.oneOf(
                octet.list().ofSize(3).map(o -> bytes(10, o.get(0), o.get(1), o.get(2))),
                octet.list().ofSize(3).map(o -> bytes(127, o.get(0), o.get(1), o.get(2))),
                octet.list().ofSize(2).map(o -> bytes(192, 168, o.get(0), o.get(1))),
                octet.list().ofSize(3).map(o -> bytes(172, 16 + o.get(0) % 16, o.get(1), o.get(2))),
                octet.list().ofSize(3).map(o -> bytes(100, 64 + o.get(0) % 64, o.get(1), o.get(2))),
                octet.list().ofSize(2).map(o -> bytes(169, 254, o.get(0), o.get(1))),
                octet.list().ofSize(3).map(o -> bytes(0, o.get(0), o.get(1), o.get(2))));
    }

    @Property
    void nat64Of6to4OfMappedOfARefusedIpv4IsRefused(@ForAll("refusedIpv4") byte[] v4) throws Exception {
        assertThat(policy.checkAddress(InetAddress.getByAddress(v4))).isNotNull();
        assertThat(policy.checkAddress(v6(0x0064, 0xff9b, 0, 0, 0, 0, v4))).as("NAT64").isNotNull();
        assertThat(policy.checkAddress(v6(0x2002, word(v4[0], v4[1]), word(v4[2], v4[3]), 0, 0, 0, new byte[4])))
                .as("6to4").isNotNull();
        assertThat(policy.checkAddress(InetAddress.getByName("::ffff:" + dotted(v4)))).as("mapped").isNotNull();
    }

    @Property
    void unroutedIpv4CarryingFormsAreRefusedWhateverTheyCarry(@ForAll byte[] any) throws Exception {
        byte[] v4 = new byte[] {at(any, 0), at(any, 1), at(any, 2), at(any, 3)};
        assertThat(policy.checkAddress(InetAddress.getByName("::" + dotted(v4)))).as("IPv4-compatible").isNotNull();
        assertThat(policy.checkAddress(InetAddress.getByName("::ffff:0:" + dotted(v4)))).as("IPv4-translated").isNotNull();
        assertThat(policy.checkAddress(v6(0x0064, 0xff9b, 0x0001, 0, 0, 0, v4))).as("local-use NAT64").isNotNull();
        assertThat(policy.checkAddress(v6(0x2001, 0, 0, 0, 0, 0, v4))).as("Teredo").isNotNull();
    }

    private static byte at(byte[] b, int i) {
        return i < b.length ? b[i] : (byte) (i * 37 + 1);
    }

    private static int word(byte hi, byte lo) {
        return (hi & 0xff) << 8 | (lo & 0xff);
    }

    private static InetAddress v6(int w0, int w1, int w2, int w3, int w4, int w5, byte[] last32) throws UnknownHostException {
        byte[] b = new byte[16];
        int[] words = {w0, w1, w2, w3, w4, w5};
        for (int i = 0; i < words.length; i++) {
            b[2 * i] = (byte) (words[i] >> 8);
            b[2 * i + 1] = (byte) words[i];
        }
        System.arraycopy(last32, 0, b, 12, 4);
        return InetAddress.getByAddress(b);
    }

    private static byte[] bytes(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }

    private static String dotted(byte[] v4) {
        return (v4[0] & 0xff) + "." + (v4[1] & 0xff) + "." + (v4[2] & 0xff) + "." + (v4[3] & 0xff);
    }
}
