-- E-mail outbox (DESIGN §7): written in the transaction of the change that causes the mail,
-- delivered by a worker with retries and backoff. Without SMTP the worker delivers into the dev
-- mailbox, i.e. marks the row delivered_via = 'dev_mailbox' and keeps it for admins to read.
CREATE TABLE mail_outbox (
    id              bigserial    PRIMARY KEY,
    recipient       varchar(255) NOT NULL,
    subject         varchar(255) NOT NULL,
    body            text         NOT NULL,
    status          varchar(20)  NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer      NOT NULL DEFAULT 0,
    next_attempt_at timestamptz  NOT NULL DEFAULT now(),
    last_error      text,
    delivered_via   varchar(20)  CHECK (delivered_via IN ('smtp', 'dev_mailbox')),
    created_at      timestamptz  NOT NULL DEFAULT now(),
    sent_at         timestamptz
);

CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE status = 'pending';
