-- Which balance a cash-out pays out (docs/product/cashouts.md#sources): 'earn' (operator credits,
-- USD) or 'affiliate' (campaign affiliate commission, EUR; docs/affiliates.md#payouts). For an
-- affiliate cash-out amount_usd, fee_usd and net_amount_usd hold amounts in `currency` (EUR) and
-- amount_credits the amount in cents.
ALTER TABLE cashout_requests ADD COLUMN source varchar(12) NOT NULL DEFAULT 'earn'
    CHECK (source IN ('earn', 'affiliate'));
