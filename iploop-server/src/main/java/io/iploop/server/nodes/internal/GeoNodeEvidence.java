package io.iploop.server.nodes.internal;

import io.iploop.server.nodes.NodeEvidence;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** {@link NodeEvidence} from the GeoIP database and the addresses stored at each admission. Thread-safe. */
@Component
class GeoNodeEvidence implements NodeEvidence {

    private final GeoIpLookup geoIp;
    private final NodeRepository nodes;

    GeoNodeEvidence(GeoIpLookup geoIp, NodeRepository nodes) {
        this.geoIp = geoIp;
        this.nodes = nodes;
    }

    @Override
    public boolean geoIpEnabled() {
        return geoIp.locates();
    }

    @Override
    public Optional<VerifiedLocation> locate(String ip) {
        return geoIp.lookup(ip).map(l -> new VerifiedLocation(JdbcNodeAuthenticator.country(l.country()), l.city(),
                l.asn()));
    }

    @Override
    public Map<UUID, String> lastAddresses(Collection<UUID> nodeIds) {
        return nodes.lastAddresses(nodeIds);
    }
}
