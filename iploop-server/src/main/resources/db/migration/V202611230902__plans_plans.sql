-- Plan catalogue (seed 001 §6.3) with the revised prices of seed 000 §5.2. Money is NUMERIC plus
-- currency (DESIGN §5); NULL price/allowance/limit means "custom" (Enterprise) or "unlimited".
-- Annual price = 12 x monthly with the 20 % annual discount of seed 000 §5.2.
CREATE TABLE plans (
    id                          varchar(40)   PRIMARY KEY,
    name                        varchar(100)  NOT NULL,
    description                 text,
    currency                    char(3)       NOT NULL DEFAULT 'USD',
    price_monthly               numeric(12,2),
    price_annual                numeric(12,2),
    price_per_gb                numeric(10,4),
    overage_per_gb              numeric(10,4),
    included_gb                 numeric(12,3),
    requests_per_day            integer,
    max_concurrent_connections  integer,
    max_sticky_lifetime_seconds integer       NOT NULL,          -- caps the 'lifetime' proxy parameter
    features                    jsonb         NOT NULL DEFAULT '[]',
    stripe_price_id             varchar(255),
    sort_order                  integer       NOT NULL DEFAULT 0,
    is_active                   boolean       NOT NULL DEFAULT true,
    created_at                  timestamptz   NOT NULL DEFAULT now()
);

INSERT INTO plans (id, name, description, currency, price_monthly, price_annual, price_per_gb, overage_per_gb,
                   included_gb, requests_per_day, max_concurrent_connections, max_sticky_lifetime_seconds,
                   features, sort_order)
VALUES
    ('trial', 'Trial', 'Try the network: 0.5 GB included, no card required.', 'USD',
     0.00, 0.00, NULL, NULL, 0.500, 1000, 5, 1800,
     '["Residential IPs", "Country targeting", "HTTP and SOCKS5"]', 10),
    ('starter', 'Starter', 'For individuals and small projects.', 'USD',
     49.00, 470.40, 9.8000, 7.0000, 5.000, 10000, 10, 3600,
     '["Residential IPs", "Country and city targeting", "Sticky sessions", "HTTP and SOCKS5"]', 20),
    ('growth', 'Growth', 'For growing teams.', 'USD',
     149.00, 1430.40, 5.9600, 5.0000, 25.000, 50000, 50, 7200,
     '["Everything in Starter", "ASN targeting", "Webhooks"]', 30),
    ('business', 'Business', 'For production workloads.', 'USD',
     499.00, 4790.40, 4.9900, 4.0000, 100.000, 200000, 200, 86400,
     '["Everything in Growth", "ISP targeting", "Priority support"]', 40),
    ('enterprise', 'Enterprise', 'Custom volume, pricing and limits.', 'USD',
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, 86400,
     '["Everything in Business", "Dedicated account manager", "Custom SLA"]', 50),
    ('payg', 'Pay-as-you-go', 'No commitment, pay per GB.', 'USD',
     0.00, 0.00, 5.0000, 5.0000, 0.000, 50000, 25, 3600,
     '["Residential IPs", "Country and city targeting", "Sticky sessions"]', 60);
