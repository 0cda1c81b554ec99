-- Admin moderation of exit nodes (docs/moderation.md): a ban disconnects the matching nodes and
-- refuses their HELLO; a quarantine keeps them connected but never selected. One row targets one
-- node, every node of one owner, an address range (CIDR) or an ASN. Rows are never deleted: lifting
-- sets lifted_at/lifted_by, so the history stays; expires_at ends a moderation by itself.
CREATE TABLE node_moderations (
    id              uuid          PRIMARY KEY DEFAULT gen_random_uuid(),
    action          varchar(20)   NOT NULL CHECK (action IN ('ban', 'quarantine')),
    scope           varchar(20)   NOT NULL CHECK (scope IN ('node', 'owner', 'cidr', 'asn')),
    node_id         uuid          REFERENCES nodes (id),
    owner_user_id   uuid          REFERENCES users (id),
    cidr            cidr,
    asn             integer       CHECK (asn > 0),
    reason          varchar(500)  NOT NULL CHECK (length(reason) > 0),
    expires_at      timestamptz,
    created_by      uuid          NOT NULL REFERENCES users (id),
    created_at      timestamptz   NOT NULL DEFAULT now(),
    lifted_at       timestamptz,
    lifted_by       uuid          REFERENCES users (id),
    CONSTRAINT node_moderations_one_target CHECK (
        (scope = 'node'  AND node_id IS NOT NULL AND owner_user_id IS NULL AND cidr IS NULL AND asn IS NULL) OR
        (scope = 'owner' AND node_id IS NULL AND owner_user_id IS NOT NULL AND cidr IS NULL AND asn IS NULL) OR
        (scope = 'cidr'  AND node_id IS NULL AND owner_user_id IS NULL AND cidr IS NOT NULL AND asn IS NULL) OR
        (scope = 'asn'   AND node_id IS NULL AND owner_user_id IS NULL AND cidr IS NULL AND asn IS NOT NULL))
);

CREATE INDEX node_moderations_active_idx ON node_moderations (created_at DESC) WHERE lifted_at IS NULL;
