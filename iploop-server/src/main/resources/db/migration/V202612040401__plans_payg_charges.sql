-- Pay-as-you-go funded from the prepaid USD credits (docs/billing.md#pay-as-you-go): traffic not
-- covered by bought GB is charged per usage batch at the plan's price per GB. The running totals
-- make every batch's amount the difference of two roundings of the total (no drift across batches)
-- and name the ledger posting of the batch (payg:<subscription id>:<bytes charged before>).
ALTER TABLE user_plans
    ADD COLUMN payg_bytes_charged bigint        NOT NULL DEFAULT 0 CHECK (payg_bytes_charged >= 0),
    ADD COLUMN payg_usd_charged   numeric(24,6) NOT NULL DEFAULT 0 CHECK (payg_usd_charged >= 0);
