package io.iploop.server.mail.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
import io.iploop.server.platform.PersonalDataSubject;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Mails to a person (docs/privacy.md): the outbox knows recipients by address only, so erasure
 * (which gets the address) deletes every mail to it, sent or not. Nothing is exported here: a
 * mail's body holds one-time links, and its facts (what was sent) are in the audit log. Thread-safe.
 */
@Component
class MailPersonalData implements PersonalData {

    private final JdbcClient jdbc;

    MailPersonalData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String feature() {
        return "mail";
    }

    @Override
    public void export(UUID userId, PersonalDataExport out) {
        // Nothing: see the class comment.
    }

    @Override
    public void erase(PersonalDataSubject subject) {
        jdbc.sql("DELETE FROM mail_outbox WHERE lower(recipient) = :email").param("email", subject.email()).update();
    }
}
