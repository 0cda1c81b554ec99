package io.iploop.server.mail;

import java.time.Instant;

/** A message delivered into the dev mailbox (no SMTP configured). Immutable. */
public record DevMail(long id, String to, String subject, String body, Instant createdAt, Instant deliveredAt) {}
