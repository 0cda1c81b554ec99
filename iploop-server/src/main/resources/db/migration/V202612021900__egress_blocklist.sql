-- The admin destination blocklist (DESIGN §6, docs/security.md): a host name (exact, or a
-- '*.example.com' suffix), an address block, a port, or a port with a host or a block.
-- The gateway reads the whole table every few seconds.
CREATE TABLE egress_blocklist (
    id          uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    host        varchar(255),
    cidr        varchar(64),
    port        integer      CHECK (port BETWEEN 1 AND 65535),
    reason      varchar(500) NOT NULL,
    created_by  uuid         NOT NULL,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT egress_blocklist_host_or_cidr CHECK (host IS NULL OR cidr IS NULL),
    CONSTRAINT egress_blocklist_not_empty CHECK (host IS NOT NULL OR cidr IS NOT NULL OR port IS NOT NULL)
);
