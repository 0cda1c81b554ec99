-- Users (seed 001 §6.1) plus the public customer id used as proxy username (DESIGN §3).
CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TABLE users (
    id                   uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id          varchar(32)  NOT NULL UNIQUE,          -- 'cust_' + 12 base32 chars
    email                varchar(255) NOT NULL,                 -- stored lower-cased
    password_hash        varchar(255) NOT NULL,                 -- bcrypt
    first_name           varchar(100) NOT NULL,
    last_name            varchar(100) NOT NULL,
    company              varchar(255),
    phone                varchar(20),
    status               varchar(20)  NOT NULL DEFAULT 'active'
                         CHECK (status IN ('active', 'suspended', 'deleted')),
    role                 varchar(20)  NOT NULL DEFAULT 'customer'
                         CHECK (role IN ('customer', 'operator', 'admin')),
    email_verified       boolean      NOT NULL DEFAULT false,
    must_change_password boolean      NOT NULL DEFAULT false,
    created_at           timestamptz  NOT NULL DEFAULT now(),
    updated_at           timestamptz  NOT NULL DEFAULT now(),
    last_login_at        timestamptz,
    CONSTRAINT users_customer_id_format CHECK (customer_id ~ '^cust_[a-z2-7]{12}$')
);

CREATE UNIQUE INDEX users_email_uk ON users (lower(email));

CREATE TRIGGER users_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
