package io.iploop.server.mail.internal;

import io.iploop.server.mail.DevMail;
import io.iploop.server.mail.MailService;
import io.iploop.server.mail.OutgoingMail;
import java.util.List;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** The mail service over {@link OutboxRepository}. Thread-safe. */
@Service
class DefaultMailService implements MailService {

    private final OutboxRepository outbox;
    private final MailSettings settings;

    DefaultMailService(OutboxRepository outbox, MailSettings settings) {
        this.outbox = outbox;
        this.settings = settings;
    }

    @Override
    public boolean smtpConfigured() {
        return settings.smtp();
    }

    @Override
    @Transactional(propagation = Propagation.MANDATORY)
    public void enqueue(OutgoingMail mail) {
        outbox.insert(mail);
    }

    @Override
    public List<DevMail> devMailbox(int limit) {
        return outbox.devMailbox(Math.clamp(limit, 1, 200));
    }
}
