package io.iploop.server.earn;

import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An admin's view of one user's earnings (docs/product/admin.md#earn-and-money-tools): balance, tier, multipliers, devices and
 * the most recent device-periods. Immutable.
 *
 * @param geoNote why geography multipliers are all 1.0 (no GeoIP database), or null
 * @param reviewFlags open earnings review flags; any keeps cash-outs from auto-approval
 */
public record AdminEarnView(UUID userId, String email, EarnBalance balance, List<EarnDevice> devices,
        List<DeviceEarning> recentEarnings, ReferralStats referrals, @Nullable String geoNote, List<ReviewFlag> reviewFlags) {

    public AdminEarnView {
        reviewFlags = List.copyOf(reviewFlags);
        devices = List.copyOf(devices);
        recentEarnings = List.copyOf(recentEarnings);
    }
}
