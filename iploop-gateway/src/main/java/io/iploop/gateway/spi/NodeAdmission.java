package io.iploop.gateway.spi;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Outcome of {@link NodeAuthenticator#admit}. */
public sealed interface NodeAdmission {

    /**
     * The node may carry traffic.
     *
     * @param nodeId nodes.id, stable per device id
     * @param ownerUserId the operator account that owns the node key
     * @param country effective ISO-3166 alpha-2 country (upper case), null if unknown
     * @param asn effective ASN, 0 if unknown
     * @param isp the ISP or AS organisation name, as the GeoIP/ASN database has it; null if unknown
     * @param postalCode the postal code of the node's address, where the GeoIP database has one; null if unknown
     */
    record Admitted(
            UUID nodeId,
            UUID ownerUserId,
            @Nullable String country,
            @Nullable String region,
            @Nullable String city,
            int asn,
            @Nullable String isp,
            @Nullable String connectionType,
            @Nullable String postalCode) implements NodeAdmission {

        /** Without a postal code. */
        public Admitted(UUID nodeId, UUID ownerUserId, @Nullable String country, @Nullable String region,
                @Nullable String city, int asn, @Nullable String isp, @Nullable String connectionType) {
            this(nodeId, ownerUserId, country, region, city, asn, isp, connectionType, null);
        }
    }

    /** The node may not connect; {@code message} is sent to the agent. */
    record Refused(String message) implements NodeAdmission {}
}
