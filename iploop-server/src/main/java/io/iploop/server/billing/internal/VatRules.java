package io.iploop.server.billing.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The VAT decision for one invoice (docs/billing.md#vat), a pure function of the seller's settings
 * and the buyer's details. Checks of a VAT id are syntactic only (country prefix and format); there
 * is no VIES call. Immutable; thread-safe.
 */
final class VatRules {

    /** Printed on invoices of an EU business buyer in another member state. */
    static final String REVERSE_CHARGE_NOTE = "VAT reverse charge, Art. 196 Directive 2006/112/EC";

    static final String NOT_REGISTERED_NOTE = "No VAT charged: the seller is not registered for VAT.";

    static final String OUTSIDE_EU_NOTE = "No VAT charged: service supplied to a buyer outside the EU.";

    /** EU member states by ISO 3166-1 alpha-2 code. */
    static final Set<String> EU = Set.of("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR",
            "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK");

    /** Standard VAT rates in percent (2026), the default rate table; overridable per country. */
    static final Map<String, BigDecimal> STANDARD_RATES = Map.ofEntries(Map.entry("AT", pct("20")),
            Map.entry("BE", pct("21")), Map.entry("BG", pct("20")), Map.entry("CY", pct("19")),
            Map.entry("CZ", pct("21")), Map.entry("DE", pct("19")), Map.entry("DK", pct("25")),
            Map.entry("EE", pct("24")), Map.entry("ES", pct("21")), Map.entry("FI", pct("25.5")),
            Map.entry("FR", pct("20")), Map.entry("GR", pct("24")), Map.entry("HR", pct("25")),
            Map.entry("HU", pct("27")), Map.entry("IE", pct("23")), Map.entry("IT", pct("22")),
            Map.entry("LT", pct("21")), Map.entry("LU", pct("17")), Map.entry("LV", pct("21")),
            Map.entry("MT", pct("18")), Map.entry("NL", pct("21")), Map.entry("PL", pct("23")),
            Map.entry("PT", pct("23")), Map.entry("RO", pct("21")), Map.entry("SE", pct("25")),
            Map.entry("SI", pct("22")), Map.entry("SK", pct("23")));

    /** VAT id formats after the country prefix (Greece's prefix is EL), from the EU's VIES help page. */
    private static final Map<String, Pattern> VAT_ID = Map.ofEntries(Map.entry("AT", p("U\\d{8}")),
            Map.entry("BE", p("[01]\\d{9}")), Map.entry("BG", p("\\d{9,10}")), Map.entry("CY", p("\\d{8}[A-Z]")),
            Map.entry("CZ", p("\\d{8,10}")), Map.entry("DE", p("\\d{9}")), Map.entry("DK", p("\\d{8}")),
            Map.entry("EE", p("\\d{9}")), Map.entry("GR", p("\\d{9}")), Map.entry("ES", p("[A-Z0-9]\\d{7}[A-Z0-9]")),
            Map.entry("FI", p("\\d{8}")), Map.entry("FR", p("[A-HJ-NP-Z0-9]{2}\\d{9}")), Map.entry("HR", p("\\d{11}")),
            Map.entry("HU", p("\\d{8}")), Map.entry("IE", p("\\d[A-Z0-9+*]\\d{5}[A-Z]{1,2}")),
            Map.entry("IT", p("\\d{11}")), Map.entry("LT", p("\\d{9}|\\d{12}")), Map.entry("LU", p("\\d{8}")),
            Map.entry("LV", p("\\d{11}")), Map.entry("MT", p("\\d{8}")), Map.entry("NL", p("\\d{9}B\\d{2}")),
            Map.entry("PL", p("\\d{10}")), Map.entry("PT", p("\\d{9}")), Map.entry("RO", p("[1-9]\\d{1,9}")),
            Map.entry("SE", p("\\d{10}01")), Map.entry("SI", p("\\d{8}")), Map.entry("SK", p("\\d{10}")));

    private static final Pattern OTHER_TAX_ID = p("[A-Z0-9]{2,20}");

    private static final Set<String> ISO_COUNTRIES = Set.of(Locale.getISOCountries());

    /**
     * The outcome for one invoice.
     *
     * @param ratePercent applied rate, 0 when no VAT is charged
     * @param taxCents {@code round(subtotal × rate / 100)}, half up
     * @param note printed on the PDF and returned in the API, null when a normal rate applies
     */
    record Decision(BigDecimal ratePercent, long taxCents, @Nullable String note) {}

    private final boolean registered;
    private final String sellerCountry;
    private final Map<String, BigDecimal> rates;

    VatRules(boolean registered, String sellerCountry, Map<String, BigDecimal> rates) {
        this.registered = registered;
        this.sellerCountry = sellerCountry;
        this.rates = rates;
        if (registered && !EU.contains(sellerCountry)) {
            throw new IllegalArgumentException("iploop.billing.vat.seller-country: '" + sellerCountry
                    + "' (expected: an EU member state's ISO code when iploop.billing.vat.registered is true)");
        }
        if (registered && rate(sellerCountry) == null) {
            throw new IllegalArgumentException("iploop.billing.vat.rates: no rate for the seller country " + sellerCountry);
        }
    }

    private @Nullable BigDecimal rate(String country) {
        BigDecimal r = rates.get(country);
        return r != null ? r : STANDARD_RATES.get(country);
    }

    /**
     * The tax of an invoice of {@code subtotalCents} to a buyer in {@code buyerCountry} (null: no
     * billing details, treated as a consumer in the seller's country) with {@code buyerVatId} (null
     * or already validated by {@link #checkVatId}).
     */
    Decision decide(long subtotalCents, @Nullable String buyerCountry, @Nullable String buyerVatId) {
        if (!registered) {
            return new Decision(BigDecimal.ZERO, 0, NOT_REGISTERED_NOTE);
        }
        String country = buyerCountry == null ? sellerCountry : buyerCountry;
        if (!EU.contains(country)) {
            return new Decision(BigDecimal.ZERO, 0, OUTSIDE_EU_NOTE);
        }
        if (buyerVatId != null && !country.equals(sellerCountry)) {
            return new Decision(BigDecimal.ZERO, 0, REVERSE_CHARGE_NOTE);
        }
        // EU consumers and domestic businesses: the seller country's rate (documented choice: below
        // the EU-wide EUR 10,000 distance-selling threshold, no OSS destination rates).
        BigDecimal rate = java.util.Objects.requireNonNull(rate(sellerCountry));
        long tax = BigDecimal.valueOf(subtotalCents).multiply(rate).divide(BigDecimal.valueOf(100), 0, RoundingMode.HALF_UP)
                .longValueExact();
        return new Decision(rate, tax, null);
    }

    /** True for an ISO 3166-1 alpha-2 code in upper case. */
    static boolean isCountry(String code) {
        return ISO_COUNTRIES.contains(code);
    }

    /**
     * The normalised VAT id (upper case, without spaces, dots and dashes) when it is syntactically
     * valid for {@code country}, else null. An EU id must start with the country's prefix (EL for
     * Greece); outside the EU any 2-20 letters and digits are taken as the buyer's tax number.
     */
    static @Nullable String checkVatId(String country, String vatId) {
        String id = vatId.toUpperCase(Locale.ROOT).replaceAll("[\\s.\\-]", "");
        Pattern format = VAT_ID.get(country);
        if (format == null) {
            return OTHER_TAX_ID.matcher(id).matches() ? id : null;
        }
        String prefix = country.equals("GR") ? "EL" : country;
        if (!id.startsWith(prefix) || !format.matcher(id.substring(prefix.length())).matches()) {
            return null;
        }
        return id;
    }

    private static BigDecimal pct(String v) {
        return new BigDecimal(v);
    }

    private static Pattern p(String regex) {
        return Pattern.compile(regex);
    }
}
