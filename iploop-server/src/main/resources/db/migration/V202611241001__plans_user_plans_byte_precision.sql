-- Usage moves bytes from gb_balance to gb_used per usage batch (DESIGN §5: bytes billed equal bytes
-- carried): nine decimals of a GB (10^9 bytes) make that byte-exact instead of rounding each batch
-- to the kilobyte.
ALTER TABLE user_plans
    ALTER COLUMN gb_balance TYPE numeric(21,9),
    ALTER COLUMN gb_used    TYPE numeric(21,9);
