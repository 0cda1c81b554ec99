package io.iploop.server.abuse.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
import io.iploop.server.platform.PersonalDataSubject;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Abuse reports the person filed with their account's e-mail (docs/privacy.md): reports are kept by
 * e-mail, not by account, so the export does not list them (ask support), and erasure replaces the
 * reporter's e-mail and drops the reporter's address; the report itself stays for the abuse desk.
 * Thread-safe.
 */
@Component
class AbusePersonalData implements PersonalData {

    private final JdbcClient jdbc;

    AbusePersonalData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String feature() {
        return "abuse";
    }

    @Override
    public void export(UUID userId, PersonalDataExport out) {
        // Nothing by account: see the class comment.
    }

    @Override
    public void erase(PersonalDataSubject subject) {
        jdbc.sql("""
                        UPDATE abuse_reports SET reporter_email = :erased, reporter_ip = NULL
                        WHERE lower(reporter_email) = :email""")
                .param("erased", subject.erasedEmail()).param("email", subject.email()).update();
    }
}
