-- Failed payments, dispute outcomes and VIES checks of VAT ids (docs/billing.md#failed-payments,
-- #disputes, #vies).

-- 'failed': the invoice had been paid and its payment failed afterwards (e.g. a direct debit
-- returned): what it granted was taken back. Final, like 'void'. It keeps its payment facts.
ALTER TABLE billing_invoices DROP CONSTRAINT billing_invoices_status_check;
ALTER TABLE billing_invoices ADD CONSTRAINT billing_invoices_status_check
    CHECK (status IN ('open', 'paid', 'void', 'failed'));
ALTER TABLE billing_invoices DROP CONSTRAINT billing_invoices_refunded;
ALTER TABLE billing_invoices ADD CONSTRAINT billing_invoices_refunded
    CHECK (refunded_cents >= 0 AND refunded_cents <= total_cents
        AND (refunded_cents = 0 OR status IN ('paid', 'failed')));

-- A payment of an invoice that failed, one per invoice: the customer is told once. When the invoice
-- had been paid, ledger_transaction_id is the reversal and lost_credits what was already spent.
CREATE TABLE billing_payment_failures (
    invoice_id            uuid          PRIMARY KEY REFERENCES billing_invoices (id),
    payment_reference     varchar(255),
    reason                varchar(500)  NOT NULL,
    stripe_event_id       varchar(255),
    ledger_transaction_id uuid,
    lost_credits          numeric(18,6),
    created_at            timestamptz   NOT NULL DEFAULT now()
);

-- How a dispute ended. A won dispute gives back what its chargeback (credit_note_id) took, in
-- ledger_transaction_id; a row without credit note: the dispute was closed before any chargeback.
CREATE TABLE billing_dispute_outcomes (
    dispute_id            varchar(255)  PRIMARY KEY,
    invoice_id            uuid          NOT NULL REFERENCES billing_invoices (id),
    status                varchar(10)   NOT NULL CHECK (status IN ('won', 'lost')),
    credit_note_id        uuid          CONSTRAINT billing_dispute_outcomes_credit_note UNIQUE
                                        REFERENCES billing_credit_notes (id),
    ledger_transaction_id uuid,
    amount_cents          bigint        NOT NULL DEFAULT 0 CHECK (amount_cents >= 0),
    tax_cents             bigint        NOT NULL DEFAULT 0 CHECK (tax_cents >= 0),
    stripe_event_id       varchar(255)  NOT NULL,
    closed_at             timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX billing_dispute_outcomes_closed_idx ON billing_dispute_outcomes (closed_at);

-- The GB a credit note actually took off the plan balance (a chargeback takes at most what is left),
-- which a won dispute gives back.
ALTER TABLE billing_credit_notes ADD COLUMN gb_taken numeric(18,9) CHECK (gb_taken >= 0);

-- The VIES check of the buyer's VAT id: null without a VAT id or outside the EU; 'pending' until
-- checked; 'unavailable' when VIES did not answer (re-checked by the job billing-vies-recheck).
ALTER TABLE billing_buyer_details
    ADD COLUMN vies_status              varchar(12)
        CHECK (vies_status IN ('pending', 'valid', 'invalid', 'unavailable')),
    ADD COLUMN vies_name                varchar(500),
    ADD COLUMN vies_address             varchar(1000),
    ADD COLUMN vies_checked_at          timestamptz,
    ADD COLUMN vies_consultation_number varchar(100),
    ADD COLUMN vies_message             varchar(300);

-- VAT ids saved before: checked by the job before they give reverse charge again.
UPDATE billing_buyer_details SET vies_status = 'pending'
WHERE vat_id IS NOT NULL AND country IN ('AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR',
    'HR', 'HU', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK');
