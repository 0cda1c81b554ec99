-- ShedLock's lock table (DESIGN §7): a scheduled job runs on one instance at a time, whether the
-- schedule or an admin started it.
CREATE TABLE shedlock (
    name       varchar(64)  PRIMARY KEY,
    lock_until timestamptz  NOT NULL,
    locked_at  timestamptz  NOT NULL,
    locked_by  varchar(255) NOT NULL
);
