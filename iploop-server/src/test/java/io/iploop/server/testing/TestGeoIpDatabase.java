package io.iploop.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes small MaxMind DB files (the format of GeoIP2 and GeoLite2 databases, MaxMind DB format 2.0)
 * mapping single IPv4 addresses to records, so tests can give loopback addresses such as
 * {@code 127.0.0.11} a country, postal code, ASN and ISP that the real {@code DatabaseReader} reads
 * back. MaxMind's own test databases cover only public addresses, which a test's agents cannot
 * connect from. IPv4 databases with 24-bit records; record values are {@link String}, {@link Long}
 * (written as uint32), {@link Map} and {@link List}. Not thread-safe; use per test.
 */
public final class TestGeoIpDatabase {

    private static final byte[] METADATA_MARKER = {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF,
            'M', 'a', 'x', 'M', 'i', 'n', 'd', '.', 'c', 'o', 'm'};

    private final String databaseType;
    private final Map<String, Map<String, Object>> records = new LinkedHashMap<>();

    /** @param databaseType e.g. {@code GeoIP2-City} or {@code GeoLite2-ASN}: the reader checks it per lookup method */
    public TestGeoIpDatabase(String databaseType) {
        this.databaseType = databaseType;
    }

    /** Maps the single IPv4 address {@code ip} to {@code record}; returns this. */
    public TestGeoIpDatabase put(String ip, Map<String, Object> record) {
        records.put(ip, record);
        return this;
    }

    /** A City database record: country ISO code, city name (English), postal code. */
    public static Map<String, Object> city(String countryIso, String cityName, String postalCode) {
        return Map.of("country", Map.of("iso_code", countryIso, "names", Map.of("en", countryIso)),
                "city", Map.of("names", Map.of("en", cityName)),
                "postal", Map.of("code", postalCode));
    }

    /** An ASN database record. */
    public static Map<String, Object> asn(long number, String organization) {
        return Map.of("autonomous_system_number", number, "autonomous_system_organization", organization);
    }

    /** Writes the database to {@code file}. */
    public void write(Path file) throws IOException {
        // The search tree: node 0 is the root; a child is a node index, EMPTY, or -(2 + record index).
        List<long[]> nodes = new ArrayList<>();
        nodes.add(new long[] {-1, -1});
        List<Map<String, Object>> data = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> e : records.entrySet()) {
            InetAddress a = InetAddress.ofLiteral(e.getKey());
            if (!(a instanceof Inet4Address)) {
                throw new IllegalArgumentException("ip: " + e.getKey() + " (expected: IPv4)");
            }
            byte[] bytes = a.getAddress();
            int node = 0;
            for (int bit = 0; bit < 32; bit++) {
                int side = (bytes[bit / 8] >> (7 - bit % 8)) & 1;
                if (bit == 31) {
                    nodes.get(node)[side] = -(2 + data.size());
                    data.add(e.getValue());
                } else if (nodes.get(node)[side] >= 0) {
                    node = (int) nodes.get(node)[side];
                } else {
                    nodes.add(new long[] {-1, -1});
                    nodes.get(node)[side] = nodes.size() - 1;
                    node = nodes.size() - 1;
                }
            }
        }
        long nodeCount = nodes.size();
        ByteArrayOutputStream dataSection = new ByteArrayOutputStream();
        long[] offsets = new long[data.size()];
        for (int i = 0; i < data.size(); i++) {
            offsets[i] = dataSection.size();
            encode(dataSection, data.get(i));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long[] n : nodes) {
            for (long child : n) {
                long value = child == -1 ? nodeCount : child < 0 ? nodeCount + 16 + offsets[(int) (-child - 2)] : child;
                out.write((int) (value >> 16));
                out.write((int) (value >> 8));
                out.write((int) value);
            }
        }
        out.write(new byte[16]);
        dataSection.writeTo(out);
        out.write(METADATA_MARKER);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("binary_format_major_version", new Uint16(2));
        metadata.put("binary_format_minor_version", new Uint16(0));
        metadata.put("build_epoch", new Uint64(System.currentTimeMillis() / 1000));
        metadata.put("database_type", databaseType);
        metadata.put("description", Map.of("en", "IPLoop test database"));
        metadata.put("ip_version", new Uint16(4));
        metadata.put("languages", List.of("en"));
        metadata.put("node_count", nodeCount);
        metadata.put("record_size", new Uint16(24));
        encode(out, metadata);
        Files.write(file, out.toByteArray());
    }

    private record Uint16(int value) {}

    private record Uint64(long value) {}

    private static void encode(ByteArrayOutputStream out, Object value) {
        switch (value) {
            case String s -> {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                control(out, 2, b.length);
                out.writeBytes(b);
            }
            case Map<?, ?> m -> {
                control(out, 7, m.size());
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    encode(out, e.getKey());
                    encode(out, e.getValue());
                }
            }
            case List<?> l -> {
                control(out, 11, l.size());
                l.forEach(v -> encode(out, v));
            }
            case Long n -> unsigned(out, 6, n, 4);
            case Uint16 n -> unsigned(out, 5, n.value(), 2);
            case Uint64 n -> unsigned(out, 9, n.value(), 8);
            default -> throw new IllegalArgumentException("value: " + value.getClass() + " (expected: String, Long, Map, List)");
        }
    }

    private static void unsigned(ByteArrayOutputStream out, int type, long value, int maxBytes) {
        int n = 0;
        while (n < maxBytes && (value >>> (8 * n)) != 0) {
            n++;
        }
        control(out, type, n);
        for (int i = n - 1; i >= 0; i--) {
            out.write((int) (value >>> (8 * i)));
        }
    }

    /** A field's control byte(s): type (extended types > 7 in a second byte) and payload size. */
    private static void control(ByteArrayOutputStream out, int type, int size) {
        int first = type <= 7 ? type << 5 : 0;
        byte[] sizeBytes;
        if (size < 29) {
            first |= size;
            sizeBytes = new byte[0];
        } else if (size < 29 + 256) {
            first |= 29;
            sizeBytes = new byte[] {(byte) (size - 29)};
        } else {
            first |= 30;
            int s = size - 285;
            sizeBytes = new byte[] {(byte) (s >> 8), (byte) s};
        }
        out.write(first);
        if (type > 7) {
            out.write(type - 7);
        }
        out.writeBytes(sizeBytes);
    }
}
