package io.iploop.server.earn;

import java.util.Set;
import java.util.UUID;

/**
 * A source of evidence that two accounts belong to one person, for the earn feature's linked-account
 * rule (docs/earn-fraud.md): two accounts sharing any value of the same {@link #kind()} are linked.
 * Other features implement it as a bean over data they own (the cash-outs feature: fingerprints of
 * verified payment methods), so earn never reads their tables. Implementations must be thread-safe
 * and cheap enough to call once per account and usage batch.
 */
public interface AccountLinkSignals {

    /** A short stable name of the evidence, e.g. {@code payment-method}; shown to admins. */
    String kind();

    /**
     * Opaque values identifying the user's evidence (e.g. SHA-256 of a normalised PayPal e-mail);
     * empty when there is none. Never the evidence in clear text.
     */
    Set<String> values(UUID userId);
}
