-- Whether the account registered itself (sign-up page or POST /api/auth/register) rather than being
-- created at first start or by an admin. A self-registered account on its sign-up subscription is a
-- trial account: it may not use the proxy until its e-mail is verified
-- (docs/product/accounts.md#trial-accounts). Accounts that existed before are left as not
-- self-registered: nothing about them is known, and refusing their keys now would break them.
ALTER TABLE users ADD COLUMN self_registered boolean NOT NULL DEFAULT false;
