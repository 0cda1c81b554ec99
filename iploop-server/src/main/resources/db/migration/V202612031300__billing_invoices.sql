-- Customer invoices of the manual (bank transfer) payment provider (docs/billing.md). Amounts are
-- integer cents of the invoice currency; marking an invoice paid posts one ledger transaction whose
-- idempotency key is derived from the invoice id.

-- One row per calendar year: the last invoice number handed out. Taken with an UPDATE row lock in
-- the invoice's own transaction, so numbers are sequential and a rolled-back invoice frees its number.
CREATE TABLE billing_invoice_counters (
    year        int    PRIMARY KEY,
    last_number bigint NOT NULL CHECK (last_number > 0)
);

CREATE TABLE billing_invoices (
    id                    uuid         PRIMARY KEY,
    number                varchar(20)  NOT NULL CONSTRAINT billing_invoices_number UNIQUE,
    user_id               uuid         NOT NULL REFERENCES users (id),
    status                varchar(10)  NOT NULL CHECK (status IN ('open', 'paid', 'void')),
    provider              varchar(20)  NOT NULL,
    package_kind          varchar(10)  NOT NULL CHECK (package_kind IN ('credits', 'gb')),
    package_id            varchar(40)  NOT NULL,
    credits_usd           numeric(12,2),   -- credits granted (1 credit = USD 1), bonus included
    gb                    numeric(12,3),   -- GB (10^9 bytes) added to the plan balance
    currency              char(3)      NOT NULL,
    subtotal_cents        bigint       NOT NULL CHECK (subtotal_cents > 0),
    tax_cents             bigint       NOT NULL DEFAULT 0 CHECK (tax_cents >= 0),
    total_cents           bigint       NOT NULL CHECK (total_cents = subtotal_cents + tax_cents),
    buyer_name            text         NOT NULL,
    buyer_email           text         NOT NULL,
    payment_reference     varchar(200),
    ledger_transaction_id uuid,
    created_at            timestamptz  NOT NULL DEFAULT now(),
    paid_at               timestamptz,
    paid_by               uuid         REFERENCES users (id),
    voided_at             timestamptz,
    voided_by             uuid         REFERENCES users (id),
    void_reason           text,
    pdf                   bytea        NOT NULL,
    CHECK ((package_kind = 'credits') = (credits_usd IS NOT NULL)),
    CHECK ((package_kind = 'gb') = (gb IS NOT NULL)),
    CHECK (status <> 'paid' OR (paid_at IS NOT NULL AND payment_reference IS NOT NULL
        AND ledger_transaction_id IS NOT NULL))
);

CREATE INDEX billing_invoices_user_idx ON billing_invoices (user_id, created_at DESC);
CREATE INDEX billing_invoices_status_idx ON billing_invoices (status, created_at);

CREATE TABLE billing_invoice_lines (
    invoice_id   uuid    NOT NULL REFERENCES billing_invoices (id),
    position     int     NOT NULL,
    description  text    NOT NULL,
    quantity     int     NOT NULL CHECK (quantity > 0),
    unit_cents   bigint  NOT NULL,
    amount_cents bigint  NOT NULL CHECK (amount_cents = unit_cents * quantity),
    PRIMARY KEY (invoice_id, position)
);
