package io.iploop.server.cashouts;

import io.iploop.server.ledger.AccountPurpose;
import java.util.Locale;

/**
 * Which balance a cash-out pays out (docs/product/cashouts.md#sources), with the three ledger accounts
 * its money moves through: available → reserved while in flight → paid (platform) on completion, or
 * back to available on rejection, cancellation or failure.
 */
public enum CashoutSource {
    /** A node operator's earn credits (USD; 1 credit = USD 0.001). */
    EARN(AccountPurpose.OPERATOR_EARNINGS, AccountPurpose.CASHOUT_RESERVED, AccountPurpose.PAYOUTS_PAID),
    /** A campaign affiliate's available commission, EUR (docs/affiliates.md#payouts). */
    AFFILIATE(AccountPurpose.AFFILIATE_AVAILABLE, AccountPurpose.AFFILIATE_PAYOUT_RESERVED,
            AccountPurpose.AFFILIATE_PAYOUTS_PAID);

    private final AccountPurpose available;
    private final AccountPurpose reserved;
    private final AccountPurpose paid;

    CashoutSource(AccountPurpose available, AccountPurpose reserved, AccountPurpose paid) {
        this.available = available;
        this.reserved = reserved;
        this.paid = paid;
    }

    /** The owner's account the amount is taken from. */
    public AccountPurpose available() {
        return available;
    }

    /** The owner's account holding the amount while the cash-out is in flight. */
    public AccountPurpose reserved() {
        return reserved;
    }

    /** The platform account a completed cash-out's amount goes to. */
    public AccountPurpose paid() {
        return paid;
    }

    /** The value stored in {@code cashout_requests.source}, e.g. {@code affiliate}. */
    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for an unknown stored value */
    public static CashoutSource fromDb(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
