-- In-dashboard notifications (docs/plans-and-alerts.md#notifications): one row per message to one
-- account, unread until the account marks it read.
CREATE TABLE notifications (
    id         uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       varchar(40)  NOT NULL,
    title      varchar(200) NOT NULL,
    body       text         NOT NULL,
    link       varchar(500),
    created_at timestamptz  NOT NULL DEFAULT now(),
    read_at    timestamptz
);

CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
