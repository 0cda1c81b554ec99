package io.iploop.server.mail.internal;

import io.iploop.server.mail.OutgoingMail;

/** Where the worker hands mail: SMTP, or the dev mailbox. Implementations are thread-safe. */
interface MailTransport {

    /** Stored in {@code mail_outbox.delivered_via}. */
    String name();

    /** Delivers {@code mail} or throws; a throw is retried later. */
    void deliver(OutgoingMail mail) throws Exception;
}
