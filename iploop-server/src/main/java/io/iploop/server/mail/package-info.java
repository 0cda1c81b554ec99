/**
 * Outgoing e-mail (docs/architecture.md#rules, outbox): features put mail into an outbox table in
 * the transaction of the
 * change that causes it; a worker delivers it over SMTP ({@code IPLOOP_SMTP_*}) with retries and
 * backoff, or, when no SMTP server is configured (the embedded default), into a dev mailbox that
 * admins read at {@code GET /api/admin/dev-mailbox}. The public API is
 * {@link io.iploop.server.mail.MailService}.
 * It may depend only on {@code platform}, so any feature can send mail without a cycle.
 */
@NullMarked
@ApplicationModule(allowedDependencies = {"platform", "platform :: v2"})
package io.iploop.server.mail;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
