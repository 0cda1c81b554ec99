-- Reversed affiliate commissions (docs/affiliates.md#refunds-and-chargebacks): reversed_amount is the
-- part of the commission taken back because its top-up was refunded or charged back; a commission
-- reversed in full is 'reversed' (never released). Released commission is amount - reversed_amount.
ALTER TABLE affiliate_commissions ADD COLUMN reversed_amount numeric(20,6) NOT NULL DEFAULT 0
    CHECK (reversed_amount >= 0);
ALTER TABLE affiliate_commissions ADD CONSTRAINT affiliate_commissions_reversed_le_amount
    CHECK (reversed_amount <= amount);
ALTER TABLE affiliate_commissions DROP CONSTRAINT affiliate_commissions_status_check;
ALTER TABLE affiliate_commissions ADD CONSTRAINT affiliate_commissions_status_check
    CHECK (status IN ('pending', 'available', 'reversed'));
