package io.iploop.server.earn.internal;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What a contribution's multipliers depend on, as it was when its bytes were carried
 * (docs/product/earn.md#credit-calculation); the credit job prices the contribution from these, so
 * pausing or adding a device later changes nothing already carried. Immutable.
 *
 * @param countedDevices the owner's sharing devices counted by distinct network (docs/earn-fraud.md)
 * @param country GeoIP country of the address the node connected from, or null (no evidence)
 * @param countrySharingNodes sharing nodes with that GeoIP country (ultra-rare rule); null when {@code country} is
 * @param uptimeSince start of the owner's longest continuous uptime among sharing devices, or null
 */
record MultiplierInputs(int countedDevices, @Nullable String country, @Nullable Long countrySharingNodes,
        @Nullable Instant uptimeSince) {}
