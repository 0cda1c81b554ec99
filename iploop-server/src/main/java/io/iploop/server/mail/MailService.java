package io.iploop.server.mail;

import java.util.List;

/** The mail feature's public API (DESIGN §7 outbox). Thread-safe. */
public interface MailService {

    /**
     * Puts {@code mail} into the outbox; it must be called inside the transaction of the change that
     * causes the mail, so the mail goes out if and only if that change commits. Delivery is
     * asynchronous, normally within a second.
     */
    void enqueue(OutgoingMail mail);

    /** The newest {@code limit} messages of the dev mailbox, newest first (empty when SMTP is configured). */
    List<DevMail> devMailbox(int limit);
}
