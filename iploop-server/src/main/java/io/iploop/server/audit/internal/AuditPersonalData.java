package io.iploop.server.audit.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
import io.iploop.server.platform.PersonalDataSubject;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Audit entries about a person (docs/privacy.md): those of the account and those whose resource is
 * the account. Erasure keeps every entry (who did what, when) but drops addresses and user agents,
 * and replaces the e-mail and the person's addresses inside the details, also in entries without
 * the account (failed logins with the e-mail). The append-only trigger allows exactly this inside
 * the erasing transaction ({@code iploop.audit_erasure}). Thread-safe.
 */
@Component
class AuditPersonalData implements PersonalData {

    private static final String ABOUT = "(a.user_id = :id OR (a.resource_type = 'user' AND a.resource_id = :idText))";

    private final JdbcClient jdbc;

    AuditPersonalData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String feature() {
        return "audit";
    }

    @Override
    public void export(UUID userId, PersonalDataExport out) {
        out.csv("audit-log.csv", java.util.List.of("id", "created_at", "action", "resource_type", "resource_id",
                "details", "ip_address", "user_agent"), rows -> jdbc.sql("""
                        SELECT a.id, a.created_at, a.action, a.resource_type, a.resource_id, a.details::text AS details,
                               host(a.ip_address) AS ip, a.user_agent
                        FROM audit_logs a WHERE""" + " " + ABOUT + " ORDER BY a.created_at, a.id")
                .param("id", userId).param("idText", userId.toString())
                .query(rs -> {
                    rows.row(rs.getLong("id"), rs.getTimestamp("created_at").toInstant(), rs.getString("action"),
                            rs.getString("resource_type"), rs.getString("resource_id"), rs.getString("details"),
                            rs.getString("ip"), rs.getString("user_agent"));
                }));
    }

    @Override
    public Set<String> addressesOf(UUID userId) {
        return Set.copyOf(jdbc.sql("SELECT DISTINCT host(a.ip_address) FROM audit_logs a WHERE " + ABOUT
                        + " AND a.ip_address IS NOT NULL")
                .param("id", userId).param("idText", userId.toString()).query(String.class).list());
    }

    @Override
    public void erase(PersonalDataSubject subject) {
        jdbc.sql("SELECT set_config('iploop.audit_erasure', 'on', true)").query().singleValue();
        // Entries about the person, and those naming the e-mail (failed logins before the account was known).
        jdbc.sql("UPDATE audit_logs a SET ip_address = NULL, user_agent = NULL WHERE (" + ABOUT
                        + " OR strpos(lower(a.details::text), :email) > 0) AND (a.ip_address IS NOT NULL OR a.user_agent IS NOT NULL)")
                .param("id", subject.userId()).param("idText", subject.userId().toString()).param("email", subject.email())
                .update();
        jdbc.sql("""
                        UPDATE audit_logs SET details = regexp_replace(details::text, :pattern, :erased, 'gi')::jsonb
                        WHERE strpos(lower(details::text), :email) > 0""")
                .param("pattern", literalPattern(subject.email())).param("email", subject.email())
                .param("erased", subject.erasedEmail()).update();
        // An address may be shared (NAT): scrubbed from the person's own entries only.
        for (String address : subject.addresses()) {
            jdbc.sql("UPDATE audit_logs a SET details = replace(a.details::text, :ip, '[erased]')::jsonb WHERE " + ABOUT
                            + " AND strpos(a.details::text, :ip) > 0")
                    .param("id", subject.userId()).param("idText", subject.userId().toString()).param("ip", address)
                    .update();
        }
        jdbc.sql("SELECT set_config('iploop.audit_erasure', 'off', true)").query().singleValue();
    }

    /** A PostgreSQL regular expression matching {@code text} literally (every non-alphanumeric character escaped). */
    static String literalPattern(String text) {
        StringBuilder b = new StringBuilder(text.length() * 2);
        text.codePoints().forEach(c -> {
            if (!Character.isLetterOrDigit(c)) {
                b.append('\\');
            }
            b.appendCodePoint(c);
        });
        return b.toString();
    }
}
