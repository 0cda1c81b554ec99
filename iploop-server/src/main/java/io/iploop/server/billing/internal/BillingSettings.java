package io.iploop.server.billing.internal;

import io.iploop.server.billing.BillingPackage;
import io.iploop.server.billing.PackageKind;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code iploop.billing.*} (docs/billing.md#configuration). Immutable.
 *
 * @param seller seller name and address lines printed on invoices
 * @param bank the bank account customers transfer to (the manual provider's payment instructions)
 * @param packages the packages on sale; null or empty: the defaults of docs/product/billing.md
 * @param vat the seller's VAT registration and rate table (docs/billing.md#vat)
 */
@ConfigurationProperties("iploop.billing")
record BillingSettings(@DefaultValue Seller seller, @DefaultValue Bank bank, @Nullable List<PackageSpec> packages,
        @DefaultValue Vat vat) {

    /** The packages of docs/product/billing.md: prepaid credits, then GB packages. */
    static final List<BillingPackage> DEFAULT_PACKAGES = List.of(
            credits(5, 0), credits(10, 0), credits(25, 2), credits(50, 5), credits(100, 15),
            gb(25, 5), gb(50, 12), gb(100, 25));

    BillingSettings {
        vat.rules(); // refuses to start with a registered seller outside the EU or without a rate
        if (packages != null && !packages.isEmpty()) {
            Set<String> ids = new HashSet<>();
            for (PackageSpec p : packages) {
                p.toPackage();
                if (!ids.add(p.id())) {
                    throw new IllegalArgumentException("iploop.billing.packages: id '" + p.id() + "' twice");
                }
            }
        }
    }

    /** The packages on sale. */
    List<BillingPackage> catalogue() {
        return packages == null || packages.isEmpty() ? DEFAULT_PACKAGES
                : packages.stream().map(PackageSpec::toPackage).toList();
    }

    private static BillingPackage credits(int usd, int bonus) {
        return new BillingPackage("credits-" + usd, PackageKind.CREDITS,
                usd + " credits" + (bonus > 0 ? " + " + bonus + " bonus" : ""), usd * 100L, BigDecimal.valueOf(usd),
                BigDecimal.valueOf(bonus), null);
    }

    private static BillingPackage gb(int usd, int gb) {
        return new BillingPackage("gb-" + gb, PackageKind.GB, gb + " GB bandwidth package", usd * 100L, null, null,
                BigDecimal.valueOf(gb));
    }

    /**
     * {@code iploop.billing.vat.*} (docs/billing.md#vat). The default is a seller that is not
     * registered for VAT: no tax, and a note saying so on every invoice.
     *
     * @param registered whether the seller charges VAT
     * @param sellerCountry the seller's EU member state (ISO code) when registered
     * @param sellerVatId printed on invoices when registered
     * @param rates percent per ISO country code, overriding the built-in standard rates
     */
    record Vat(@DefaultValue("false") boolean registered, @DefaultValue("") String sellerCountry,
            @DefaultValue("") String sellerVatId, @Nullable Map<String, BigDecimal> rates) {

        VatRules rules() {
            Map<String, BigDecimal> table = new HashMap<>();
            if (rates != null) {
                rates.forEach((k, v) -> table.put(k.strip().toUpperCase(Locale.ROOT), v));
            }
            return new VatRules(registered, sellerCountry.strip().toUpperCase(Locale.ROOT), table);
        }
    }

    /** Printed as the seller on invoices. */
    record Seller(@DefaultValue("IPLoop") String name, @DefaultValue("") String address) {}

    /**
     * The manual provider's bank details. The defaults are placeholders that say so: an operator
     * sets {@code IPLOOP_BILLING_BANK_*} before taking real payments.
     */
    record Bank(@DefaultValue("Bank transfer (manual provider)") String providerLabel,
            @DefaultValue("IPLoop operator (placeholder: set iploop.billing.bank.account-holder)") String accountHolder,
            @DefaultValue("Example Bank (placeholder)") String bankName,
            @DefaultValue("XX00 0000 0000 0000 0000 00") String iban,
            @DefaultValue("XXXXXXXX") String bic,
            @DefaultValue("Quote the invoice number as the transfer reference. An administrator credits the payment "
                    + "by hand once it has arrived.") String note) {}

    /**
     * One configured package.
     *
     * @param kind {@code credits} or {@code gb}
     * @param priceCents US cents, &gt; 0
     */
    record PackageSpec(String id, String kind, String name, long priceCents, @Nullable BigDecimal credits,
            @Nullable BigDecimal bonusCredits, @Nullable BigDecimal gb) {

        BillingPackage toPackage() {
            if (id == null || !id.matches("[a-z0-9-]{1,40}")) {
                throw new IllegalArgumentException("iploop.billing.packages.id: '" + id + "' (expected: [a-z0-9-]{1,40})");
            }
            if (priceCents <= 0) {
                throw new IllegalArgumentException("iploop.billing.packages[" + id + "].price-cents: " + priceCents
                        + " (expected: > 0)");
            }
            PackageKind k = PackageKind.valueOf(String.valueOf(kind).toUpperCase(Locale.ROOT));
            if (k.billed() || k == PackageKind.WALLET || k == PackageKind.POOL) {
                throw new IllegalArgumentException("iploop.billing.packages[" + id + "].kind: " + kind
                        + " (expected: credits or gb)");
            }
            if (k == PackageKind.CREDITS && (credits == null || credits.signum() <= 0 || credits.scale() > 2)) {
                throw new IllegalArgumentException("iploop.billing.packages[" + id + "].credits: expected > 0, 2 decimals");
            }
            if (k == PackageKind.GB && (gb == null || gb.signum() <= 0 || gb.scale() > 3)) {
                throw new IllegalArgumentException("iploop.billing.packages[" + id + "].gb: expected > 0, 3 decimals");
            }
            return new BillingPackage(id, k, name, priceCents, k == PackageKind.CREDITS ? credits : null,
                    k == PackageKind.CREDITS ? (bonusCredits == null ? BigDecimal.ZERO : bonusCredits) : null,
                    k == PackageKind.GB ? gb : null);
        }
    }
}
