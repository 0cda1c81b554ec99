-- Earn credits only traffic someone else paid for (docs/earn-fraud.md). Each contribution names the
-- customer account whose credentials carried the bytes and how those bytes were paid for:
--   paid   a priced plan's balance or overage covered them: base rate × multipliers
--   trial  a free allowance (Trial plan): base rate, multipliers only if iploop.earn.trial-multipliers
--   self   the node's own owner sent them: nothing
--   linked an account linked to the owner sent them: nothing
--   unpaid nobody paid (no subscription, an empty balance without overage): nothing
-- Rows written before this migration were credited under the old rule and stay 'paid'.
ALTER TABLE bandwidth_contributions ADD COLUMN customer_id uuid REFERENCES users (id);
ALTER TABLE bandwidth_contributions ADD COLUMN payment varchar(10) NOT NULL DEFAULT 'paid'
    CHECK (payment IN ('paid', 'trial', 'self', 'linked', 'unpaid'));
ALTER TABLE bandwidth_contributions ALTER COLUMN payment DROP DEFAULT;

-- What a device-period's bytes were: the credits come from paid and trial bytes only.
ALTER TABLE device_earnings ADD COLUMN paid_bytes bigint NOT NULL DEFAULT 0 CHECK (paid_bytes >= 0);
ALTER TABLE device_earnings ADD COLUMN trial_bytes bigint NOT NULL DEFAULT 0 CHECK (trial_bytes >= 0);
ALTER TABLE device_earnings ADD COLUMN unpaid_bytes bigint NOT NULL DEFAULT 0 CHECK (unpaid_bytes >= 0);
UPDATE device_earnings SET paid_bytes = bytes_shared;

-- Evidence for the linked-account rule that earn records itself: the address each account signed
-- up from (only public unicast addresses are ever compared).
CREATE TABLE earn_account_signals (
    user_id    uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    signup_ip  inet,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX earn_account_signals_ip_idx ON earn_account_signals (signup_ip, created_at) WHERE signup_ip IS NOT NULL;
