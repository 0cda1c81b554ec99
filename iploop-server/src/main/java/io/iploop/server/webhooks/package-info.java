/**
 * Signed webhooks (docs/integrations/webhooks.md): customers register HTTPS endpoints for event
 * types; events of other features (cash-out status changes, …) are written into an outbox in the
 * transaction that causes them and delivered by a worker, signed per Standard Webhooks, retried with
 * backoff and logged per endpoint; an endpoint that keeps failing is disabled and its owner told by
 * e-mail. Delivery refuses private, loopback and link-local destinations (the exits' egress policy),
 * re-checked on every attempt. The public API is {@link io.iploop.server.webhooks.WebhooksService}.
 */
@NullMarked
@ApplicationModule(allowedDependencies = {"platform", "mail", "accounts", "cashouts", "jobs", "audit", "plans", "usage", "subusers"})
package io.iploop.server.webhooks;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
