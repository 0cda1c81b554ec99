package io.iploop.server.earn;

import java.util.List;
import java.util.UUID;

/**
 * An admin's view of one user's earnings (docs/product/admin.md#earn-and-money-tools): balance, tier, multipliers, devices and
 * the most recent device-periods. Immutable.
 */
public record AdminEarnView(UUID userId, String email, EarnBalance balance, List<EarnDevice> devices,
        List<DeviceEarning> recentEarnings, ReferralStats referrals) {

    public AdminEarnView {
        devices = List.copyOf(devices);
        recentEarnings = List.copyOf(recentEarnings);
    }
}
