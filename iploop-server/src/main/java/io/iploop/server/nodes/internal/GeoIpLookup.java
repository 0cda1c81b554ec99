package io.iploop.server.nodes.internal;

import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.model.CityResponse;
import io.iploop.server.platform.IpLocations;
import io.iploop.server.platform.IploopProperties;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Optional GeoIP: a MaxMind City database opened only when {@code IPLOOP_GEOIP_DB} is set; without
 * it every lookup is empty and nodes' self-reported location is used. Also answers
 * {@link IpLocations} for other features (login-session locations). Thread-safe (the reader is).
 */
@Component
class GeoIpLookup implements IpLocations {

    private static final Logger log = LoggerFactory.getLogger(GeoIpLookup.class);

    private final @Nullable DatabaseReader reader;

    GeoIpLookup(IploopProperties properties) {
        Path db = properties.geoipDb();
        if (db == null || db.toString().isBlank()) {
            this.reader = null;
            return;
        }
        try {
            this.reader = new DatabaseReader.Builder(db.toFile()).build();
            log.info("GeoIP database {} loaded", db);
        } catch (IOException e) {
            throw new UncheckedIOException("IPLOOP_GEOIP_DB: cannot open " + db, e);
        }
    }

    boolean enabled() {
        return reader != null;
    }

    /** The location of {@code ip}, if the database knows it. */
    Optional<Location> lookup(String ip) {
        DatabaseReader r = reader;
        if (r == null) {
            return Optional.empty();
        }
        try {
            Optional<CityResponse> city = r.tryCity(InetAddress.ofLiteral(ip));
            return city.map(c -> new Location(
                    c.country() == null ? null : c.country().isoCode(),
                    c.mostSpecificSubdivision() == null ? null : c.mostSpecificSubdivision().name(),
                    c.city() == null ? null : c.city().name(),
                    c.traits() == null || c.traits().autonomousSystemNumber() == null ? 0
                            : c.traits().autonomousSystemNumber().intValue(),
                    // The ISP where the database has it, else the ASN's organisation (isp targeting, docs/exit-quality.md).
                    c.traits() == null ? null : c.traits().isp() != null ? c.traits().isp() : c.traits().autonomousSystemOrganization(),
                    c.postal() == null ? null : c.postal().code()));
        } catch (Exception e) {
            log.debug("GeoIP lookup failed for {}", ip, e);
            return Optional.empty();
        }
    }

    @Override
    public Optional<String> describe(String ip) {
        return lookup(ip).map(l -> Stream.of(l.city(), l.region(), l.country())
                        .filter(p -> p != null && !p.isBlank())
                        .collect(Collectors.joining(", ")))
                .filter(s -> !s.isEmpty());
    }

    @PreDestroy
    void close() throws IOException {
        if (reader != null) {
            reader.close();
        }
    }

    /** A GeoIP answer; any field may be unknown; {@code postalCode} only where the database has postal codes. */
    record Location(@Nullable String country, @Nullable String region, @Nullable String city, int asn,
            @Nullable String isp, @Nullable String postalCode) {}
}
