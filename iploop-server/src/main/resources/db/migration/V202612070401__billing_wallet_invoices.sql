-- Wallet invoices (docs/campaigns.md#wallet-invoices): a customer-requested top-up of the EUR campaign
-- wallet through the manual provider. package_kind 'wallet'; currency EUR; no credits or GB. The
-- payment's ledger transaction is the wallet credit (key campaign-topup:invoice:<id>).
ALTER TABLE billing_invoices DROP CONSTRAINT billing_invoices_package_kind_check;
ALTER TABLE billing_invoices ADD CONSTRAINT billing_invoices_package_kind_check
    CHECK (package_kind IN ('credits', 'gb', 'plan', 'overage', 'wallet'));
