/**
 * Mail implementation: the outbox repository, the delivery worker, the SMTP and dev-mailbox
 * transports and the admin dev-mailbox endpoint.
 */
@NullMarked
package io.iploop.server.mail.internal;

import org.jspecify.annotations.NullMarked;
