-- Login brute-force protection (seed 000 §9.7): failed logins per e-mail and per client IP within
-- a window, and until when the e-mail (account) or IP is blocked. The e-mail is keyed by its
-- SHA-256 so that unknown e-mails lock exactly like known ones.
CREATE TABLE login_throttle (
    throttle_key varchar(100) PRIMARY KEY,             -- 'email:<sha256>' or 'ip:<address>'
    failures     integer      NOT NULL,
    window_start timestamptz  NOT NULL,
    locked_until timestamptz
);
