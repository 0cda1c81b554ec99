package io.iploop.server.accounts.internal;

import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code backup_codes} (docs/product/accounts.md#two-factor-authentication): hashes only, each usable once. Thread-safe. */
@Repository
class BackupCodeRepository {

    private final JdbcClient jdbc;

    BackupCodeRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Replaces all of the account's codes with {@code hashes}. */
    void replace(UUID userId, List<String> hashes) {
        deleteAll(userId);
        for (String hash : hashes) {
            jdbc.sql("INSERT INTO backup_codes (user_id, code_hash) VALUES (:userId, :hash)")
                    .param("userId", userId).param("hash", hash).update();
        }
    }

    /** Marks the unused code with {@code hash} used. @return true when there was one (atomic) */
    boolean use(UUID userId, String hash) {
        return jdbc.sql("""
                        UPDATE backup_codes SET used_at = now()
                        WHERE user_id = :userId AND code_hash = :hash AND used_at IS NULL""")
                .param("userId", userId).param("hash", hash).update() == 1;
    }

    /** Unused codes left. */
    int remaining(UUID userId) {
        return jdbc.sql("SELECT count(*) FROM backup_codes WHERE user_id = :userId AND used_at IS NULL")
                .param("userId", userId).query(Integer.class).single();
    }

    void deleteAll(UUID userId) {
        jdbc.sql("DELETE FROM backup_codes WHERE user_id = :userId").param("userId", userId).update();
    }
}
