package io.iploop.server.cashouts.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iploop.server.cashouts.CashoutMethod;
import io.iploop.server.cashouts.CashoutsException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PaymentDetailsTest {

    @Test
    void acceptsRealAddressesAndMasksThem() {
        assertThat(PaymentDetails.validate(CashoutMethod.PAYPAL, Map.of("email", "Op@Example.com"), "paymentDetails")
                .masked()).isEqualTo("o***@example.com");
        assertThat(PaymentDetails.validate(CashoutMethod.USDT,
                Map.of("address", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"), "paymentDetails").masked())
                .isEqualTo("TR7N…Lj6t");
        for (String btc : new String[] {"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
                "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
                "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297"}) {
            assertThat(PaymentDetails.isBitcoinAddress(btc)).as(btc).isTrue();
        }
        var bank = PaymentDetails.validate(CashoutMethod.BANK_TRANSFER,
                Map.of("iban", "DE89 3704 0044 0532 0130 00", "swift", "deutdeff", "accountHolder", "Jo Doe"), "p");
        assertThat(bank.details()).containsEntry("iban", "DE89370400440532013000").containsEntry("swift", "DEUTDEFF");
        assertThat(bank.masked()).isEqualTo("DE89 …3000 (DEUTDEFF)");
    }

    @Test
    void refusesBadChecksumsAndNamesTheField() {
        assertThat(PaymentDetails.isTronAddress("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u")).isFalse();
        assertThat(PaymentDetails.isBitcoinAddress("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb")).isFalse();
        assertThat(PaymentDetails.isBitcoinAddress("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx")).isFalse();
        assertThat(PaymentDetails.isBitcoinAddress("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")).isFalse();
        assertThat(PaymentDetails.isIban("DE89370400440532013001")).isFalse();
        assertThatThrownBy(() -> PaymentDetails.validate(CashoutMethod.PAYPAL, Map.of("email", "nope"), "paymentDetails"))
                .isInstanceOfSatisfying(CashoutsException.class, e -> {
                    assertThat(e.field()).isEqualTo("paymentDetails.email");
                    assertThat(e.reason()).isEqualTo(CashoutsException.Reason.INVALID_PAYMENT_DETAILS);
                });
        assertThatThrownBy(() -> PaymentDetails.validate(CashoutMethod.BANK_TRANSFER,
                Map.of("iban", "DE89370400440532013000", "swift", "DEUT", "accountHolder", "x"), "d"))
                .isInstanceOfSatisfying(CashoutsException.class, e -> assertThat(e.field()).isEqualTo("d.swift"));
        assertThatThrownBy(() -> PaymentDetails.validate(CashoutMethod.USDT, Map.of(), "paymentDetails"))
                .isInstanceOfSatisfying(CashoutsException.class,
                        e -> assertThat(e.field()).isEqualTo("paymentDetails.address"));
    }
}
