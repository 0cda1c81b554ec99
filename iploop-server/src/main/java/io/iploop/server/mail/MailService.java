package io.iploop.server.mail;

import java.util.List;

/** The mail feature's public API (transactional outbox, docs/architecture.md#rules). Thread-safe. */
public interface MailService {

    /**
     * Puts {@code mail} into the outbox; it must be called inside the transaction of the change that
     * causes the mail, so the mail goes out if and only if that change commits. Delivery is
     * asynchronous, normally within a second.
     */
    void enqueue(OutgoingMail mail);

    /**
     * Whether mail leaves the server over SMTP ({@code IPLOOP_SMTP_HOST} set); false on the embedded
     * default, where it stays in the dev mailbox (an admin page) and its subject and links are logged.
     */
    boolean smtpConfigured();

    /** The newest {@code limit} messages of the dev mailbox, newest first (empty when SMTP is configured). */
    List<DevMail> devMailbox(int limit);
}
