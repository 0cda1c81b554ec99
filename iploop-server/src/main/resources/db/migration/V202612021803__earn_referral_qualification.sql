-- A referral pays its sign-up bonus and commissions only once the referred account qualified
-- (docs/earn-fraud.md): 2 GB carried as an operator or paid proxy usage as a customer, and never
-- between linked accounts. Referrals made before this migration were paid already: qualified.
ALTER TABLE referrals ADD COLUMN qualification varchar(10) NOT NULL DEFAULT 'qualified'
    CHECK (qualification IN ('pending', 'qualified', 'refused'));
ALTER TABLE referrals ALTER COLUMN qualification SET DEFAULT 'pending';
ALTER TABLE referrals ADD COLUMN qualified_at timestamptz;
