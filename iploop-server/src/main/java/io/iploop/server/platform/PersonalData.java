package io.iploop.server.platform;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * SPI through which a feature hands over and erases its share of one person's data
 * (docs/privacy.md): every feature that stores personal data declares one bean implementing it in
 * its {@code .internal} package, reading and changing only its own tables. The accounts feature
 * collects all beans for {@code GET /api/account/export} and account erasure, so no feature reads
 * another's tables. Implementations are thread-safe Spring beans; each method runs inside the
 * caller's transaction.
 */
public interface PersonalData {

    /**
     * The feature's name, lower case ({@code keys}, {@code usage}, ...): the folder of its files in
     * the export ZIP; unique among the beans.
     */
    String feature();

    /**
     * Writes this feature's data about {@code userId} into {@code out} (JSON or CSV files). Never
     * secrets or hashes; payout details and webhook secrets masked.
     */
    void export(UUID userId, PersonalDataExport out);

    /**
     * Network addresses this feature stored for {@code userId} (login and sign-up IPs, node
     * addresses), as text; erasure asks every feature before erasing so that each can also scrub
     * them from free-text columns it owns (audit details). Empty by default.
     */
    default Set<String> addressesOf(UUID userId) {
        return Set.of();
    }

    /**
     * Why {@code userId} cannot be erased now (a cash-out in flight), or empty when nothing of this
     * feature stands in the way. Called before any {@link #erase}.
     */
    default Optional<ErasureBlocker> erasureBlocker(UUID userId) {
        return Optional.empty();
    }

    /**
     * Anonymises or deletes this feature's personal data about the subject, keeping legal records
     * (ledger entries, issued invoices and credit notes) as docs/privacy.md lists them. Idempotent.
     */
    void erase(PersonalDataSubject subject);

    /**
     * A reason that refuses erasure (HTTP 409).
     *
     * @param code stable lower snake case code, e.g. {@code cashout_pending}
     * @param message what the person must do first
     */
    record ErasureBlocker(String code, String message) {}
}
