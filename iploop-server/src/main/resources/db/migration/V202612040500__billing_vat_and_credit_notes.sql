-- VAT on invoices and refunds/chargebacks with credit notes (docs/billing.md#vat, #refunds).

-- The buyer's billing details, edited by the customer; copied onto each invoice when it is created.
CREATE TABLE billing_buyer_details (
    user_id    uuid         PRIMARY KEY REFERENCES users (id),
    country    char(2)      NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    vat_id     varchar(20),
    company    varchar(200),
    address    varchar(500),
    updated_at timestamptz  NOT NULL DEFAULT now()
);

-- What the tax was computed from, frozen with the invoice. tax_rate is a percentage; tax_note the
-- legal note printed on the PDF (reverse charge, not VAT registered, outside the EU).
ALTER TABLE billing_invoices
    ADD COLUMN buyer_country  char(2),
    ADD COLUMN buyer_vat_id   varchar(20),
    ADD COLUMN buyer_address  varchar(500),
    ADD COLUMN tax_rate       numeric(5,2) NOT NULL DEFAULT 0 CHECK (tax_rate >= 0 AND tax_rate < 100),
    ADD COLUMN tax_note       text,
    -- The buyer's active plan when the invoice was created, for revenue by plan.
    ADD COLUMN buyer_plan_id  varchar(40),
    -- Sum of the credit notes against this invoice (refunds and chargebacks).
    ADD COLUMN refunded_cents bigint NOT NULL DEFAULT 0,
    ADD CONSTRAINT billing_invoices_refunded CHECK (refunded_cents >= 0 AND refunded_cents <= total_cents
        AND (refunded_cents = 0 OR status = 'paid'));

-- Issued means immutable: number, buyer, amounts and tax never change after the insert; only the
-- status, payment facts, PDF (re-rendered with the status) and refunded total move.
CREATE FUNCTION billing_invoices_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.number IS DISTINCT FROM OLD.number OR NEW.user_id IS DISTINCT FROM OLD.user_id
        OR NEW.subtotal_cents IS DISTINCT FROM OLD.subtotal_cents OR NEW.tax_cents IS DISTINCT FROM OLD.tax_cents
        OR NEW.total_cents IS DISTINCT FROM OLD.total_cents OR NEW.tax_rate IS DISTINCT FROM OLD.tax_rate
        OR NEW.tax_note IS DISTINCT FROM OLD.tax_note OR NEW.buyer_country IS DISTINCT FROM OLD.buyer_country
        OR NEW.buyer_vat_id IS DISTINCT FROM OLD.buyer_vat_id OR NEW.buyer_name IS DISTINCT FROM OLD.buyer_name
        OR NEW.currency IS DISTINCT FROM OLD.currency THEN
        RAISE EXCEPTION 'invoice % is issued: its number, buyer and amounts are immutable', OLD.number;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER billing_invoices_immutable BEFORE UPDATE ON billing_invoices
    FOR EACH ROW EXECUTE FUNCTION billing_invoices_immutable();

CREATE TABLE billing_credit_note_counters (
    year        int    PRIMARY KEY,
    last_number bigint NOT NULL CHECK (last_number > 0)
);

-- A refund or chargeback of (part of) a paid invoice. amount = net + tax, in the invoice currency's
-- cents; credits_usd / gb are what was taken back from the customer.
CREATE TABLE billing_credit_notes (
    id                    uuid         PRIMARY KEY,
    number                varchar(20)  NOT NULL CONSTRAINT billing_credit_notes_number UNIQUE,
    invoice_id            uuid         NOT NULL REFERENCES billing_invoices (id),
    user_id               uuid         NOT NULL REFERENCES users (id),
    kind                  varchar(12)  NOT NULL CHECK (kind IN ('refund', 'chargeback')),
    currency              char(3)      NOT NULL,
    amount_cents          bigint       NOT NULL CHECK (amount_cents > 0),
    net_cents             bigint       NOT NULL CHECK (net_cents >= 0),
    tax_cents             bigint       NOT NULL CHECK (tax_cents >= 0),
    credits_usd           numeric(18,6),
    gb                    numeric(18,9),
    reason                text         NOT NULL,
    idempotency_key       varchar(200) NOT NULL CONSTRAINT billing_credit_notes_idempotency_key UNIQUE,
    ledger_transaction_id uuid         NOT NULL,
    created_by            uuid         REFERENCES users (id),
    created_at            timestamptz  NOT NULL DEFAULT now(),
    pdf                   bytea        NOT NULL,
    CHECK (amount_cents = net_cents + tax_cents)
);

CREATE INDEX billing_credit_notes_invoice_idx ON billing_credit_notes (invoice_id, created_at);
CREATE INDEX billing_credit_notes_created_idx ON billing_credit_notes (created_at);
CREATE INDEX billing_invoices_paid_idx ON billing_invoices (paid_at) WHERE status = 'paid';
