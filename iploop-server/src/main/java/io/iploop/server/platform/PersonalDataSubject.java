package io.iploop.server.platform;

import java.util.Set;
import java.util.UUID;

/**
 * The person being erased (docs/privacy.md#erasure), as known before anything was erased. Immutable.
 *
 * @param userId users.id, kept (ledger and invoices refer to it)
 * @param email the e-mail address before erasure, lower case
 * @param erasedEmail the placeholder that replaces it everywhere ({@code erased-<id>@invalid})
 * @param addresses every network address any feature stored for the person ({@link PersonalData#addressesOf})
 */
public record PersonalDataSubject(UUID userId, String email, String erasedEmail, Set<String> addresses) {

    public PersonalDataSubject {
        addresses = Set.copyOf(addresses);
    }

    /** The placeholder e-mail of an erased account: {@code erased-<userId>@invalid} (RFC 2606 reserves {@code .invalid}). */
    public static String erasedEmailOf(UUID userId) {
        return "erased-" + userId + "@invalid";
    }
}
