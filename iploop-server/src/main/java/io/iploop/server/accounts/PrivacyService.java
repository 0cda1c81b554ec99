package io.iploop.server.accounts;

import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A person's rights over their data (docs/privacy.md): the export of everything the platform holds
 * about them as a ZIP, erasure of the account, and the consents given at sign-up. Every feature
 * contributes its share through {@link io.iploop.server.platform.PersonalData}. Thread-safe.
 */
public interface PrivacyService {

    /** How often an account may export: once per hour (docs/privacy.md#export). */
    Duration EXPORT_INTERVAL = Duration.ofHours(1);

    /** The versions of the terms and privacy policy that sign-up accepts now. */
    PolicyVersions policyVersions();

    /**
     * Claims the account's export slot and audits the export; call before streaming.
     *
     * @throws AccountsException {@code EXPORT_RATE_LIMITED} (429 with {@code Retry-After}) within
     *     {@link #EXPORT_INTERVAL} of the previous export; {@code NOT_FOUND}
     */
    void beginExport(UUID userId);

    /**
     * Writes the ZIP (one folder per feature, JSON and CSV files) to {@code out}, streaming: no file
     * is held whole in memory. Does not close {@code out}. Reads in one read-only snapshot.
     */
    void writeExport(UUID userId, OutputStream out);

    /**
     * Erases the account (docs/privacy.md#erasure) after checking the password and, when 2FA is on,
     * a TOTP or backup code: personal data is anonymised by every feature, sessions end, API and node
     * keys are revoked; ledger entries, invoices and credit notes stay. Audited.
     *
     * @param secondFactor a TOTP or backup code; required when the account uses 2FA
     * @throws AccountsException {@code INVALID_CREDENTIALS} (field {@code password}), {@code
     *     TWO_FACTOR_REQUIRED} / {@code INVALID_TWO_FACTOR_CODE} (field {@code totpCode}), {@code
     *     CANNOT_DELETE_SELF} for an admin, {@code NOT_FOUND}; a 409 {@link io.iploop.server.platform.ApiException}
     *     with the blocking feature's code (e.g. {@code cashout_pending}) while something must finish first
     */
    void erase(UUID userId, String password, @Nullable String secondFactor);

    /** The consents the account gave, oldest first. */
    List<Consent> consents(UUID userId);

    /**
     * The current versions of the legal documents (docs/privacy.md#consent).
     *
     * @param terms version of the terms of service
     * @param privacyPolicy version of the privacy policy
     */
    record PolicyVersions(String terms, String privacyPolicy) {}

    /**
     * One consent given at sign-up. Immutable.
     *
     * @param document {@code terms} or {@code privacy_policy}
     * @param ipAddress the address it was given from; null when unknown or erased
     */
    record Consent(String document, String version, Instant acceptedAt, @Nullable String ipAddress) {}
}
