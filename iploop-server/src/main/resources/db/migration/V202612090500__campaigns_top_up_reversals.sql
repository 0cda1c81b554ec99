-- Refunds and chargebacks of campaign wallet top-ups (docs/campaigns.md#refunds-and-chargebacks).
-- One row per reversal, keyed by the reversal's idempotency key (a provider event id or a billing
-- credit note key), so a replayed event reverses nothing twice; the rows of one top-up add up to at
-- most the top-up. taken came out of the wallet, lost had been spent already (CAMPAIGN_CHARGEBACK_LOSSES).
CREATE TABLE campaign_top_up_reversals (
    reversal_key       varchar(300)  PRIMARY KEY,
    top_up_transaction uuid          NOT NULL,
    user_id            uuid          NOT NULL REFERENCES users (id),
    amount             numeric(20,6) NOT NULL CHECK (amount > 0),
    taken              numeric(20,6) NOT NULL CHECK (taken >= 0),
    lost               numeric(20,6) NOT NULL CHECK (lost >= 0),
    transaction_id     uuid          NOT NULL,
    created_at         timestamptz   NOT NULL DEFAULT now(),
    CHECK (taken + lost = amount)
);
CREATE INDEX campaign_top_up_reversals_top_up ON campaign_top_up_reversals (top_up_transaction);

-- A payment.refunded / payment.disputed event that took money back is 'reversed', with the wallet's
-- owner and the reversal's ledger transaction, like a credited payment.
ALTER TABLE campaign_payment_events DROP CONSTRAINT campaign_payment_events_status_check;
ALTER TABLE campaign_payment_events ADD CONSTRAINT campaign_payment_events_status_check
    CHECK (status IN ('credited', 'unmatched', 'rejected', 'reversed'));
ALTER TABLE campaign_payment_events DROP CONSTRAINT campaign_payment_events_check;
ALTER TABLE campaign_payment_events ADD CONSTRAINT campaign_payment_events_check
    CHECK ((status IN ('credited', 'reversed')) = (user_id IS NOT NULL AND transaction_id IS NOT NULL));
