package io.iploop.server.nodes.internal;

import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.model.AsnResponse;
import com.maxmind.geoip2.model.CityResponse;
import com.maxmind.geoip2.model.IspResponse;
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
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Optional GeoIP: a MaxMind City database opened only when {@code IPLOOP_GEOIP_DB} is set, and a
 * MaxMind ASN or ISP database (GeoLite2-ASN, GeoIP2-ISP) opened only when {@code IPLOOP_GEOIP_ASN_DB}
 * is set (City databases carry no ASN or ISP: without this one, {@code asn} and {@code isp}
 * targeting fall back to what the agents report; docs/exit-quality.md#targeting). Without either,
 * every lookup is empty and nodes' self-reported location is used. Also answers {@link IpLocations}
 * for other features (login-session locations). Thread-safe (the readers are).
 */
@Component
class GeoIpLookup implements IpLocations {

    private static final Logger log = LoggerFactory.getLogger(GeoIpLookup.class);

    private final @Nullable DatabaseReader reader;
    private final @Nullable DatabaseReader asnReader;
    /** Whether {@link #asnReader} is an ISP database (ISP names) rather than an ASN one (organisations). */
    private final boolean ispDatabase;

    /**
     * @param asnDb {@code IPLOOP_GEOIP_ASN_DB}: path of a MaxMind ASN or ISP database, blank for none
     * @throws UncheckedIOException when a configured database cannot be opened
     * @throws IllegalArgumentException when the ASN database is neither an ASN nor an ISP database
     */
    GeoIpLookup(IploopProperties properties, @Value("${iploop.geoip-asn-db:}") String asnDb) {
        this.reader = open(properties.geoipDb(), "IPLOOP_GEOIP_DB");
        this.asnReader = asnDb.isBlank() ? null : open(Path.of(asnDb.strip()), "IPLOOP_GEOIP_ASN_DB");
        String type = asnReader == null ? "" : asnReader.metadata().databaseType();
        this.ispDatabase = type.contains("ISP");
        if (asnReader != null && !ispDatabase && !type.contains("ASN")) {
            throw new IllegalArgumentException("IPLOOP_GEOIP_ASN_DB: " + asnDb + " is a " + type
                    + " database (expected: a MaxMind ASN or ISP database such as GeoLite2-ASN or GeoIP2-ISP)");
        }
    }

    private static @Nullable DatabaseReader open(@Nullable Path db, String variable) {
        if (db == null || db.toString().isBlank()) {
            return null;
        }
        try {
            DatabaseReader r = new DatabaseReader.Builder(db.toFile()).build();
            log.info("GeoIP database {} ({}) loaded", db, r.metadata().databaseType());
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(variable + ": cannot open " + db, e);
        }
    }

    /** Whether any GeoIP database is configured. */
    boolean enabled() {
        return reader != null || asnReader != null;
    }

    /** Whether a City database is configured (locations, not only networks, are verified). */
    boolean locates() {
        return reader != null;
    }

    /**
     * What the databases know of {@code ip}: the location from the City database and the ASN and ISP
     * from the ASN/ISP database (else from the City database's traits, which only Enterprise-style
     * databases fill); empty when neither knows the address or the address is not an IP literal.
     */
    Optional<Location> lookup(String ip) {
        if (!enabled()) {
            return Optional.empty();
        }
        InetAddress address;
        try {
            address = InetAddress.ofLiteral(ip);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        Optional<CityResponse> city = Optional.empty();
        if (reader != null) {
            try {
                city = reader.tryCity(address);
            } catch (Exception e) {
                log.debug("GeoIP city lookup failed for {}", ip, e);
            }
        }
        int asn = 0;
        String isp = null;
        if (city.isPresent() && city.get().traits() != null) {
            var t = city.get().traits();
            asn = t.autonomousSystemNumber() == null ? 0 : t.autonomousSystemNumber().intValue();
            // The ISP where the database has it, else the ASN's organisation (isp targeting, docs/exit-quality.md).
            isp = t.isp() != null ? t.isp() : t.autonomousSystemOrganization();
        }
        boolean network = false;
        if (asnReader != null) {
            try {
                if (ispDatabase) {
                    Optional<IspResponse> r = asnReader.tryIsp(address);
                    if (r.isPresent()) {
                        network = true;
                        asn = r.get().autonomousSystemNumber() == null ? asn : r.get().autonomousSystemNumber().intValue();
                        isp = r.get().isp() != null ? r.get().isp()
                                : r.get().autonomousSystemOrganization() != null ? r.get().autonomousSystemOrganization() : isp;
                    }
                } else {
                    Optional<AsnResponse> r = asnReader.tryAsn(address);
                    if (r.isPresent()) {
                        network = true;
                        asn = r.get().autonomousSystemNumber() == null ? asn : r.get().autonomousSystemNumber().intValue();
                        isp = r.get().autonomousSystemOrganization() != null ? r.get().autonomousSystemOrganization() : isp;
                    }
                }
            } catch (Exception e) {
                log.debug("GeoIP ASN lookup failed for {}", ip, e);
            }
        }
        if (city.isEmpty() && !network) {
            return Optional.empty();
        }
        CityResponse c = city.orElse(null);
        return Optional.of(new Location(c != null,
                c == null || c.country() == null ? null : c.country().isoCode(),
                c == null || c.mostSpecificSubdivision() == null ? null : c.mostSpecificSubdivision().name(),
                c == null || c.city() == null ? null : c.city().name(),
                asn, isp,
                c == null || c.postal() == null ? null : c.postal().code()));
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
        if (asnReader != null) {
            asnReader.close();
        }
    }

    /**
     * A GeoIP answer; any field may be unknown; {@code postalCode} only where the database has postal
     * codes.
     *
     * @param located whether the City database knew the address (else the location fields say
     *     nothing and the node's own report stands)
     * @param asn 0 when unknown
     */
    record Location(boolean located, @Nullable String country, @Nullable String region, @Nullable String city, int asn,
            @Nullable String isp, @Nullable String postalCode) {}
}
