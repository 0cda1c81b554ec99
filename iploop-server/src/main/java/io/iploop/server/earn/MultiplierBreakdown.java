package io.iploop.server.earn;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The multipliers that apply now (docs/product/earn.md#multipliers), as the next credit job would apply them.
 * They stack multiplicatively; the tier is in the rate, not here. Immutable.
 *
 * @param sharingDevices the operator's devices online and not paused
 * @param multiDevice 2.0 with 3 or more sharing devices, else 1.0
 * @param uptime 1.5 after 24 h continuous uptime of any device, else 1.0
 * @param uptimeSince start of the longest continuous uptime among sharing devices, or null
 * @param operatorTotal multiDevice × uptime: what every device gets before its geography
 * @param devices per device: geography (from GeoIP of the address the gateway saw, never the
 *     agent's claim) and the device's total multiplier
 * @param countedDevices sharing devices as the multi-device bonus counts them: distinct networks
 *     (/24 for IPv4, /48 for IPv6) they connect from (docs/earn-fraud.md)
 * @param geoNote why geography multipliers are all 1.0 (no GeoIP database), or null
 */
public record MultiplierBreakdown(int sharingDevices, BigDecimal multiDevice, BigDecimal uptime,
        @Nullable Instant uptimeSince, BigDecimal operatorTotal, List<DeviceMultiplier> devices, int countedDevices,
        @Nullable String geoNote) {

    public MultiplierBreakdown {
        devices = List.copyOf(devices);
    }

    /**
     * One device's multipliers.
     *
     * @param geoTier {@code common}, {@code uncommon}, {@code rare}, {@code ultra-rare} or
     *     {@code unlisted}
     * @param total operatorTotal × geo
     */
    public record DeviceMultiplier(UUID deviceId, @Nullable String name, @Nullable String country, BigDecimal geo,
            String geoTier, BigDecimal total) {}
}
