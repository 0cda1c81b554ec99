-- A cash-out whose payout outcome is unknown (the provider timed out or lost a batch it had
-- accepted) waits in payout_unknown, credits still reserved, for an admin (docs/earn-fraud.md).
ALTER TABLE cashout_requests DROP CONSTRAINT cashout_requests_status_check;
ALTER TABLE cashout_requests ADD CONSTRAINT cashout_requests_status_check CHECK (status IN ('awaiting_confirmation',
    'pending', 'approved', 'processing', 'completed', 'rejected', 'cancelled', 'expired', 'failed', 'payout_unknown'));
