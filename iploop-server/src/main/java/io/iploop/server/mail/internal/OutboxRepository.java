package io.iploop.server.mail.internal;

import io.iploop.server.mail.DevMail;
import io.iploop.server.mail.OutgoingMail;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code mail_outbox}. Thread-safe. */
@Repository
class OutboxRepository {

    /** What the body of a mail delivered by SMTP is replaced with. */
    static final String REDACTED = "[redacted after delivery]";

    private final JdbcClient jdbc;

    OutboxRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(OutgoingMail mail) {
        jdbc.sql("INSERT INTO mail_outbox (recipient, subject, body) VALUES (:to, :subject, :body)")
                .param("to", mail.to()).param("subject", mail.subject()).param("body", mail.body())
                .update();
    }

    /**
     * Due pending messages, claimed for {@code lease} (their next attempt moved that far ahead) in the
     * caller's transaction; rows locked by another instance are skipped, so two workers never send
     * the same message. Oldest first: {@code UPDATE … RETURNING} has no order of its own, and a
     * customer's mails (a cash-out requested, then paid) must arrive in the order they were written.
     */
    List<Pending> claimDue(int limit, Duration lease) {
        return jdbc.sql("""
                        WITH claimed AS (
                            UPDATE mail_outbox SET next_attempt_at = now() + make_interval(secs => :leaseSeconds)
                            WHERE id IN (SELECT id FROM mail_outbox
                                         WHERE status = 'pending' AND next_attempt_at <= now()
                                         ORDER BY next_attempt_at, id
                                         LIMIT :limit
                                         FOR UPDATE SKIP LOCKED)
                            RETURNING id, recipient, subject, body, attempts)
                        SELECT * FROM claimed ORDER BY id""")
                .param("limit", limit).param("leaseSeconds", (double) lease.toSeconds())
                .query((rs, n) -> new Pending(rs.getLong("id"),
                        new OutgoingMail(rs.getString("recipient"), rs.getString("subject"), rs.getString("body")),
                        rs.getInt("attempts")))
                .list();
    }

    /**
     * Marks the mail delivered. Mail that left by SMTP has its body replaced by {@link #REDACTED}:
     * bodies hold password-reset and verification links and codes, which must not outlive their
     * delivery in the database ({@code docs/security.md}). Mail delivered into the dev mailbox keeps
     * its body, because the dev mailbox is where it is read.
     */
    void markSent(long id, String via) {
        jdbc.sql("""
                        UPDATE mail_outbox SET status = 'sent', attempts = attempts + 1, sent_at = now(),
                               delivered_via = :via, last_error = NULL,
                               body = CASE WHEN :via = 'smtp' THEN :redacted ELSE body END
                        WHERE id = :id""")
                .param("id", id).param("via", via).param("redacted", REDACTED).update();
    }

    /** Counts a failed attempt; retries after {@code retryIn}, or gives up when it is null. */
    void markFailed(long id, String error, @Nullable Duration retryIn) {
        boolean giveUp = retryIn == null;
        jdbc.sql("""
                        UPDATE mail_outbox
                        SET attempts = attempts + 1, last_error = :error,
                            status = CASE WHEN :giveUp THEN 'failed' ELSE 'pending' END,
                            next_attempt_at = now() + make_interval(secs => :retrySeconds)
                        WHERE id = :id""")
                .param("id", id).param("error", error).param("giveUp", giveUp)
                .param("retrySeconds", giveUp ? 0.0 : (double) retryIn.toSeconds())
                .update();
    }

    List<DevMail> devMailbox(int limit) {
        return jdbc.sql("""
                        SELECT id, recipient, subject, body, created_at, sent_at FROM mail_outbox
                        WHERE delivered_via = 'dev_mailbox'
                        ORDER BY id DESC LIMIT :limit""")
                .param("limit", limit)
                .query((rs, n) -> new DevMail(rs.getLong("id"), rs.getString("recipient"), rs.getString("subject"),
                        rs.getString("body"), rs.getTimestamp("created_at").toInstant(),
                        rs.getTimestamp("sent_at").toInstant()))
                .list();
    }

    /** A message to deliver and how many attempts it has had. */
    record Pending(long id, OutgoingMail mail, int attempts) {

        /** For the log: never the body, which may hold a sign-in link. */
        @Override
        public String toString() {
            return id + " to " + mail.to();
        }
    }
}
