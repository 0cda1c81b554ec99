-- Webhook endpoints, their outbox and delivery log (docs/integrations/webhooks.md).

CREATE TABLE webhook_endpoints (
    id                   uuid PRIMARY KEY,
    user_id              uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    url                  text NOT NULL,
    description          text,
    event_types          text[] NOT NULL,
    enabled              boolean NOT NULL DEFAULT true,
    -- whsec_<base64 of 32 random bytes>: needed in clear to sign each delivery (Standard Webhooks)
    secret               text NOT NULL,
    -- failed delivery attempts since the last successful one, and when that streak began
    consecutive_failures integer NOT NULL DEFAULT 0,
    failing_since        timestamptz,
    disabled_reason      text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_user ON webhook_endpoints (user_id, created_at);

-- One event for one endpoint: written in the transaction of the change that causes the event.
CREATE TABLE webhook_messages (
    id              bigserial PRIMARY KEY,
    endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        text NOT NULL,
    event_type      text NOT NULL,
    payload         text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_messages_due ON webhook_messages (next_attempt_at, id) WHERE status = 'pending';

-- Every delivery attempt, kept 30 days.
CREATE TABLE webhook_deliveries (
    id            bigserial PRIMARY KEY,
    message_id    bigint NOT NULL REFERENCES webhook_messages (id) ON DELETE CASCADE,
    endpoint_id   uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    attempt       integer NOT NULL,
    status_code   integer,
    duration_ms   integer NOT NULL,
    error         text,
    response_body text,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id DESC);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);
