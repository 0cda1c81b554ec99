-- A customer's declared use case (docs/operator-transparency.md#customer-categories): the category
-- operators see on their traffic page instead of the customer's identity. NULL: undeclared.
-- The list is fixed; keep it in step with io.iploop.server.accounts.UseCases.
ALTER TABLE users ADD COLUMN use_case varchar(40)
    CONSTRAINT users_use_case_check CHECK (use_case IN ('web_scraping', 'price_monitoring', 'seo',
        'ad_verification', 'brand_protection', 'market_research', 'travel_fare_aggregation',
        'academic_research', 'other'));
