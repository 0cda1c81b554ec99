package io.iploop.server.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.usage.UsageBucket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The status-code chart keeps tunnels and gateway refusals apart (docs/product/usage.md#analytics). */
class StatusSlicesTest {

    @Test
    void streamsWithoutAStatusSplitIntoTunnelsAndRefusals() {
        List<UsageBucket> slices = AnalyticsPagesController.statusSlices(List.of(
                new UsageBucket("200", null, 10, 90, 100, 4, 4, 4),
                new UsageBucket(null, null, 500, 5000, 5500, 7, 7, 5)));
        assertThat(slices).extracting(UsageBucket::label).containsExactly("200", "Tunnels (CONNECT, SOCKS5)",
                "Refused or failed at the gateway");
        assertThat(slices).extracting(UsageBucket::streams).containsExactly(4L, 5L, 2L);
    }

    @Test
    void onlyTheSlicesThatHaveStreams() {
        assertThat(AnalyticsPagesController.statusSlices(List.of(new UsageBucket(null, null, 0, 0, 0, 3, 3, 0))))
                .extracting(UsageBucket::label).containsExactly("Refused or failed at the gateway");
        assertThat(AnalyticsPagesController.statusSlices(List.of())).isEmpty();
    }
}
