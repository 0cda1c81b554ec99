package io.iploop.server.billing.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The VAT decision table and VAT id syntax of docs/billing.md#vat. */
class VatRulesTest {

    private final VatRules german = new VatRules(true, "DE", Map.of());

    @Test
    void anUnregisteredSellerChargesNothingAndSaysWhy() {
        VatRules.Decision d = new VatRules(false, "", Map.of()).decide(2500, "DE", null);
        assertThat(d.taxCents()).isZero();
        assertThat(d.note()).isEqualTo(VatRules.NOT_REGISTERED_NOTE);
    }

    @Test
    void domesticAndEuConsumersPayTheSellerCountryRate() {
        assertThat(german.decide(2500, "DE", "DE123456789").taxCents()).as("domestic business").isEqualTo(475);
        assertThat(german.decide(2500, "FR", null).taxCents()).as("French consumer").isEqualTo(475);
        assertThat(german.decide(2500, null, null).taxCents()).as("no details").isEqualTo(475);
        assertThat(german.decide(999, "AT", null).taxCents()).as("half up: 189.81").isEqualTo(190);
        assertThat(german.decide(2500, "DE", null).ratePercent()).isEqualByComparingTo("19");
        assertThat(new VatRules(true, "DE", Map.of("DE", new BigDecimal("7"))).decide(1000, "DE", null).taxCents())
                .as("configured rate").isEqualTo(70);
    }

    @Test
    void euBusinessesElsewhereAreReverseChargedAndNonEuBuyersPayNothing() {
        VatRules.Decision reverse = german.decide(2500, "FR", "FR40303265045");
        assertThat(reverse.taxCents()).isZero();
        assertThat(reverse.note()).isEqualTo("VAT reverse charge, Art. 196 Directive 2006/112/EC");
        VatRules.Decision export = german.decide(2500, "US", "123456789");
        assertThat(export.taxCents()).isZero();
        assertThat(export.note()).isEqualTo(VatRules.OUTSIDE_EU_NOTE);
    }

    @Test
    void vatIdsNeedTheCountryPrefixAndFormat() {
        assertThat(VatRules.checkVatId("DE", "de 123.456-789")).isEqualTo("DE123456789");
        assertThat(VatRules.checkVatId("GR", "EL123456789")).isEqualTo("EL123456789");
        assertThat(VatRules.checkVatId("GR", "GR123456789")).isNull();
        assertThat(VatRules.checkVatId("AT", "ATU12345678")).isEqualTo("ATU12345678");
        assertThat(VatRules.checkVatId("AT", "AT12345678")).isNull();
        assertThat(VatRules.checkVatId("NL", "NL123456789B01")).isEqualTo("NL123456789B01");
        assertThat(VatRules.checkVatId("FR", "DE123456789")).isNull();
        assertThat(VatRules.checkVatId("DE", "DE12345678")).isNull();
        assertThat(VatRules.checkVatId("US", "12-3456789")).isEqualTo("123456789");
        assertThat(VatRules.checkVatId("US", "!")).isNull();
        assertThat(VatRules.isCountry("DE")).isTrue();
        assertThat(VatRules.isCountry("XX")).isFalse();
    }

    @Test
    void aRegisteredSellerMustBeInTheEu() {
        assertThatThrownBy(() -> new VatRules(true, "US", Map.of())).hasMessageContaining("seller-country");
    }
}
