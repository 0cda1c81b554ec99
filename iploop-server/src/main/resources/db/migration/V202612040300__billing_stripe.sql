-- The Stripe payment provider (docs/billing.md#stripe): every webhook event received, stored by its
-- id so that it is applied exactly once; the Stripe customer of each account; and the state of each
-- Stripe subscription as its events reported it (status, period, cancellation, dunning).

-- Every verified webhook event, inserted in the transaction that applies it: a replay or a concurrent
-- duplicate finds the id taken (or waits for the first delivery's transaction) and does nothing.
CREATE TABLE billing_stripe_events (
    id          varchar(255) PRIMARY KEY,          -- Stripe's event id (evt_…)
    type        varchar(100) NOT NULL,
    created_at  timestamptz  NOT NULL,             -- when Stripe created the event
    received_at timestamptz  NOT NULL DEFAULT now(),
    outcome     text         NOT NULL,             -- what applying it did, for support
    payload     jsonb        NOT NULL
);

CREATE INDEX billing_stripe_events_received_idx ON billing_stripe_events (received_at DESC);

-- The Stripe customer created for an account on its first card payment (Checkout, Customer Portal).
CREATE TABLE billing_stripe_customers (
    user_id     uuid         PRIMARY KEY REFERENCES users (id),
    customer_id varchar(255) NOT NULL CONSTRAINT billing_stripe_customers_customer UNIQUE,
    created_at  timestamptz  NOT NULL DEFAULT now()
);

-- One row per Stripe subscription. State fields follow the newest customer.subscription.* event
-- (last_event_at: events may arrive out of order); failed_attempts and suspended follow the invoice
-- events (dunning). local_subscription_id: the plans feature's subscription it paid for.
CREATE TABLE billing_stripe_subscriptions (
    subscription_id       varchar(255) PRIMARY KEY,
    user_id               uuid         NOT NULL REFERENCES users (id),
    plan_id               varchar(64)  NOT NULL,
    status                varchar(30)  NOT NULL,
    current_period_start  timestamptz,
    current_period_end    timestamptz,
    cancel_at_period_end  boolean      NOT NULL DEFAULT false,
    failed_attempts       int          NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    suspended             boolean      NOT NULL DEFAULT false,
    local_subscription_id uuid,
    last_event_at         timestamptz  NOT NULL,
    created_at            timestamptz  NOT NULL DEFAULT now(),
    updated_at            timestamptz  NOT NULL DEFAULT now()
);

CREATE INDEX billing_stripe_subscriptions_user_idx ON billing_stripe_subscriptions (user_id, created_at DESC);
