package io.iploop.server.campaigns;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * The CPM curve of campaign wallets (docs/campaigns.md#pricing): the rate per 1,000 visits falls with
 * the amount paid in. Each tier starts at its lower bound and runs up to (not including) the next
 * tier's lower bound, so amounts between the published ranges (398.50, 998.99) take the lower tier's
 * rate. Pure and thread-safe.
 */
public final class CampaignPricing {

    /** Largest amount quoted, EUR. */
    public static final BigDecimal MAX_AMOUNT = new BigDecimal("10000000");
    /** Visits a rate is quoted for. */
    public static final BigDecimal VISITS_PER_RATE = new BigDecimal("1000");

    /** A tier: amounts from {@code from} (inclusive) pay {@code rate} per 1,000 visits. */
    public record Tier(BigDecimal from, BigDecimal rate) {}

    /** The tiers, lowest first. */
    public static final List<Tier> TIERS = List.of(
            new Tier(new BigDecimal("0"), new BigDecimal("0.58")),
            new Tier(new BigDecimal("129"), new BigDecimal("0.43")),
            new Tier(new BigDecimal("399"), new BigDecimal("0.40")),
            new Tier(new BigDecimal("999"), new BigDecimal("0.33")),
            new Tier(new BigDecimal("1249"), new BigDecimal("0.25")),
            new Tier(new BigDecimal("2999"), new BigDecimal("0.20")));

    private CampaignPricing() {
    }

    /** The rate per 1,000 visits for an amount of at least 0 EUR. */
    public static BigDecimal rateFor(BigDecimal amount) {
        BigDecimal rate = TIERS.getFirst().rate();
        for (Tier t : TIERS) {
            if (amount.compareTo(t.from()) >= 0) {
                rate = t.rate();
            }
        }
        return rate;
    }

    /**
     * The quote for {@code amount} EUR.
     *
     * @throws CampaignsException {@code INVALID} (field {@code amount}) for a negative amount, more than
     *     2 decimals, or above {@link #MAX_AMOUNT}
     */
    public static Quote quote(BigDecimal amount) {
        if (amount.signum() < 0) {
            throw invalid("amount must be 0 or more EUR");
        }
        if (amount.stripTrailingZeros().scale() > 2) {
            throw invalid("amount must have at most 2 decimals (whole cents)");
        }
        if (amount.compareTo(MAX_AMOUNT) > 0) {
            throw invalid("amount must be at most " + MAX_AMOUNT.toPlainString() + " EUR");
        }
        BigDecimal rate = rateFor(amount);
        long visits = amount.multiply(VISITS_PER_RATE).divide(rate, 0, RoundingMode.DOWN).longValueExact();
        return new Quote(amount, rate, visits);
    }

    /** The EUR price of {@code visits} at {@code rate} per 1,000, exact (scale of at most 5 for 2-decimal rates). */
    public static BigDecimal priceOf(long visits, BigDecimal rate) {
        return rate.multiply(BigDecimal.valueOf(visits)).divide(VISITS_PER_RATE).stripTrailingZeros();
    }

    private static CampaignsException invalid(String message) {
        return new CampaignsException(CampaignsException.Reason.INVALID, message, "amount");
    }
}
