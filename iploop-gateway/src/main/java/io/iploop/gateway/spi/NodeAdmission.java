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
     */
    record Admitted(
            UUID nodeId,
            UUID ownerUserId,
            @Nullable String country,
            @Nullable String region,
            @Nullable String city,
            int asn,
            @Nullable String isp,
            @Nullable String connectionType) implements NodeAdmission {}

    /** The node may not connect; {@code message} is sent to the agent. */
    record Refused(String message) implements NodeAdmission {}
}
