package io.iploop.server.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The CPM curve (docs/campaigns.md#pricing) at and around every tier boundary, and its refusals. */
class CampaignPricingTest {

    @ParameterizedTest(name = "EUR {0} -> {1} per 1,000, {2} visits")
    @CsvSource({
            "0, 0.58, 0",
            "1, 0.58, 1724",
            "128.99, 0.58, 222396",
            "129, 0.43, 300000",
            "398, 0.43, 925581",
            "398.50, 0.43, 926744",
            "398.99, 0.43, 927883",
            "399, 0.40, 997500",
            "500, 0.40, 1250000",
            "998, 0.40, 2495000",
            "998.5, 0.40, 2496250",
            "999, 0.33, 3027272",
            "1248, 0.33, 3781818",
            "1248.99, 0.33, 3784818",
            "1249, 0.25, 4996000",
            "2998, 0.25, 11992000",
            "2998.99, 0.25, 11995960",
            "2999, 0.20, 14995000",
            "10000, 0.20, 50000000"})
    void quotesEveryTier(String amount, String rate, long visits) {
        Quote q = CampaignPricing.quote(new BigDecimal(amount));
        assertThat(q.rate()).isEqualByComparingTo(rate);
        assertThat(q.estimatedVisits()).isEqualTo(visits);
    }

    @ParameterizedTest
    @CsvSource({"-0.01", "-500", "1.005", "10000000.01"})
    void refusesNegativeFractionalCentsAndHugeAmounts(String amount) {
        assertThatThrownBy(() -> CampaignPricing.quote(new BigDecimal(amount)))
                .isInstanceOfSatisfying(CampaignsException.class, e -> assertThat(e.field()).isEqualTo("amount"));
    }

    @ParameterizedTest
    @CsvSource({"1000, 0.40, 0.4", "1, 0.58, 0.00058", "2500, 0.33, 0.825"})
    void pricesVisitsExactly(long visits, String rate, String eur) {
        assertThat(CampaignPricing.priceOf(visits, new BigDecimal(rate))).isEqualByComparingTo(eur);
    }
}
