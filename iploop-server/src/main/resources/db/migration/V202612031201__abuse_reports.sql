-- Abuse reports (docs/moderation.md#abuse-reports): the public intake and the admin queue.
CREATE TABLE abuse_reports (
    id                 uuid           PRIMARY KEY DEFAULT gen_random_uuid(),
    reporter_email     varchar(254)   NOT NULL,
    target             varchar(255)   NOT NULL,
    window_from        timestamptz    NOT NULL,
    window_to          timestamptz    NOT NULL CHECK (window_to > window_from),
    description        varchar(5000)  NOT NULL,
    reporter_ip        inet,
    status             varchar(20)    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    created_at         timestamptz    NOT NULL DEFAULT now(),
    resolved_at        timestamptz,
    resolved_by        uuid           REFERENCES users (id),
    resolution         varchar(1000),
    quarantined_nodes  integer        NOT NULL DEFAULT 0
);

CREATE INDEX abuse_reports_status_idx ON abuse_reports (status, created_at DESC);
