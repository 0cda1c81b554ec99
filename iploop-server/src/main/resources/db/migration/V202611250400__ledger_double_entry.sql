-- Double-entry ledger (DESIGN §5; issue 4 item 1). Every movement of value is one transaction whose
-- entries sum to zero per currency; an account's balance is the sum of its entries, maintained by
-- a trigger in the same database transaction, so no code path can move one without the other.

CREATE TABLE ledger_accounts (
    id             uuid          PRIMARY KEY,
    owner_id       uuid          REFERENCES users (id),   -- null: a platform account
    purpose        varchar(40)   NOT NULL,                -- AccountPurpose
    -- 'CREDIT' is the earn credit (integer, 1 credit = USD 0.001); otherwise ISO 4217 (USD, EUR).
    currency       varchar(6)    NOT NULL,
    allow_negative boolean       NOT NULL,
    balance        numeric(24,6) NOT NULL DEFAULT 0,
    created_at     timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT ledger_accounts_id_currency UNIQUE (id, currency),
    CONSTRAINT ledger_accounts_owner_purpose UNIQUE NULLS NOT DISTINCT (owner_id, purpose, currency),
    CONSTRAINT ledger_accounts_non_negative CHECK (allow_negative OR balance >= 0)
);

CREATE TABLE ledger_transactions (
    id              uuid         PRIMARY KEY,
    kind            varchar(40)  NOT NULL,                -- TransactionKind
    -- Set for every externally triggered movement: a replay finds the first posting instead of
    -- posting twice.
    idempotency_key varchar(200) CONSTRAINT ledger_transactions_idempotency_key UNIQUE,
    description     text         NOT NULL,
    corrects_id     uuid         REFERENCES ledger_transactions (id),
    created_by      uuid         REFERENCES users (id),
    metadata        jsonb        NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz  NOT NULL DEFAULT now()
);

CREATE TABLE ledger_entries (
    id             bigserial     PRIMARY KEY,
    transaction_id uuid          NOT NULL REFERENCES ledger_transactions (id),
    account_id     uuid          NOT NULL,
    currency       varchar(6)    NOT NULL,
    amount         numeric(24,6) NOT NULL CONSTRAINT ledger_entries_non_zero CHECK (amount <> 0),
    created_at     timestamptz   NOT NULL DEFAULT now(),
    -- The entry's currency is the account's: a transaction can't balance USD against credits.
    CONSTRAINT ledger_entries_account FOREIGN KEY (account_id, currency)
        REFERENCES ledger_accounts (id, currency),
    CONSTRAINT ledger_entries_whole_credits CHECK (currency <> 'CREDIT' OR amount = trunc(amount))
);

CREATE INDEX ledger_entries_account_idx ON ledger_entries (account_id, id DESC);
CREATE INDEX ledger_entries_transaction_idx ON ledger_entries (transaction_id);
CREATE INDEX ledger_transactions_corrects_idx ON ledger_transactions (corrects_id) WHERE corrects_id IS NOT NULL;

-- Balance follows entries in the same statement; the row lock it takes serialises concurrent
-- postings to one account, and the non-negative CHECK refuses an overdraft atomically.
CREATE FUNCTION ledger_apply_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ledger_accounts SET balance = balance + NEW.amount WHERE id = NEW.account_id;
    RETURN NEW;
END;
$$;

CREATE TRIGGER ledger_entries_apply AFTER INSERT ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_apply_entry();

-- Checked at commit, when all of a transaction's entries are in.
CREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unbalanced text;
    entries int;
BEGIN
    SELECT count(*) INTO entries FROM ledger_entries WHERE transaction_id = NEW.transaction_id;
    IF entries < 2 THEN
        RAISE EXCEPTION 'ledger transaction % has % entries (expected: >= 2)', NEW.transaction_id, entries
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT string_agg(currency || ' ' || total, ', ') INTO unbalanced
    FROM (SELECT currency, sum(amount) AS total FROM ledger_entries
          WHERE transaction_id = NEW.transaction_id GROUP BY currency HAVING sum(amount) <> 0) t;
    IF unbalanced IS NOT NULL THEN
        RAISE EXCEPTION 'ledger transaction % does not sum to zero: %', NEW.transaction_id, unbalanced
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();

-- Append-only: a correction is a new transaction that links the one it corrects (DESIGN §10).
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;

CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
