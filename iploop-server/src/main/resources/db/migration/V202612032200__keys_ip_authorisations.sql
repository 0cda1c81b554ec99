-- IP-authorised access (docs/ip-authorised-access.md): source addresses and CIDR ranges an account
-- lets use the proxy without credentials, each with an optional default targeting (name-value
-- pairs as after the key in a proxy password, e.g. 'country-us-session-abc'; '' for none).
-- No two entries overlap, whether of two accounts or of one: an address resolves to exactly one
-- entry, so to one account and one targeting. The exclusion constraint enforces it even between
-- two concurrent writers; the API answers 409 naming the clash. The same GiST index serves the
-- per-address lookup (network >>= address).
CREATE TABLE account_ip_authorisations (
    user_id           uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    network           cidr        NOT NULL,
    default_targeting text        NOT NULL DEFAULT '' CHECK (length(default_targeting) <= 1024),
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, network),
    CONSTRAINT account_ip_authorisations_no_overlap EXCLUDE USING gist (network inet_ops WITH &&)
);
