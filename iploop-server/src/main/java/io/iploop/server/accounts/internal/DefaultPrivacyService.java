package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.AccountsException.Reason;
import io.iploop.server.accounts.PrivacyService;
import io.iploop.server.accounts.UserRole;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataSubject;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link PrivacyService}: orchestrates every feature's {@link PersonalData} bean for export and
 * erasure (docs/privacy.md), in feature-name order with {@code accounts} last (the others may still
 * need the e-mail). Knows no other feature: the beans are collected by type. Thread-safe.
 */
@Service
class DefaultPrivacyService implements PrivacyService {

    private final List<PersonalData> features;
    private final UserRepository users;
    private final ConsentRepository consents;
    private final PasswordEncoder passwords;
    private final LoginThrottle failures;
    private final SecondFactors secondFactors;
    private final AuditService audit;
    private final JsonMapper json;
    private final TransactionTemplate snapshot;
    private final Clock clock;
    private final SessionIssuer sessions;

    DefaultPrivacyService(List<PersonalData> features, UserRepository users, ConsentRepository consents,
            PasswordEncoder passwords, LoginThrottle failures, SecondFactors secondFactors, AuditService audit,
            JsonMapper json, PlatformTransactionManager transactions, Clock clock, SessionIssuer sessions) {
        this.sessions = sessions;
        this.features = features.stream()
                .sorted(Comparator.comparing((PersonalData p) -> p.feature().equals(AccountsPersonalData.FEATURE))
                        .thenComparing(PersonalData::feature))
                .toList();
        Set<String> names = new HashSet<>();
        for (PersonalData p : this.features) {
            if (!names.add(p.feature())) {
                throw new IllegalStateException("two PersonalData beans for feature " + p.feature());
            }
        }
        this.users = users;
        this.consents = consents;
        this.passwords = passwords;
        this.failures = failures;
        this.secondFactors = secondFactors;
        this.audit = audit;
        this.json = json;
        this.snapshot = new TransactionTemplate(transactions);
        this.snapshot.setReadOnly(true);
        this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.clock = clock;
    }

    @Override
    public PolicyVersions policyVersions() {
        return consents.versions();
    }

    @Override
    @Transactional
    public void beginExport(UUID userId) {
        users.findById(userId).orElseThrow(Accounts.notFound());
        Instant now = clock.instant();
        if (!consents.claimExport(userId, now, EXPORT_INTERVAL)) {
            Instant next = consents.lastExport(userId).plus(EXPORT_INTERVAL);
            Duration wait = Duration.between(now, next);
            throw new AccountsException(Reason.EXPORT_RATE_LIMITED, "one data export per hour; try again after "
                    + next.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " UTC", null,
                    wait.isNegative() ? Duration.ofSeconds(1) : wait);
        }
        audit.record(AuditEvent.ofUser(userId, AuditAction.ACCOUNT_DATA_EXPORTED, Map.of()));
    }

    @Override
    public void writeExport(UUID userId, OutputStream out) {
        snapshot.executeWithoutResult(status -> {
            ZipPersonalDataExport zip = new ZipPersonalDataExport(out, json);
            zip.folder("");
            zip.json("README.json", Map.of(
                    "subject", userId.toString(),
                    "exportedAt", clock.instant().toString(),
                    "features", features.stream().map(PersonalData::feature).toList(),
                    "about", "Personal data held by IPLoop about this account, one folder per feature "
                            + "(docs/privacy.md#export). Secrets, password and key hashes are never exported; "
                            + "payout details and webhook secrets are masked."));
            for (PersonalData p : features) {
                zip.folder(p.feature());
                p.export(userId, zip);
            }
            zip.finish();
        });
    }

    @Override
    @Transactional(noRollbackFor = AccountsException.class)
    public void erase(UUID userId, String password, @Nullable String secondFactor) {
        Account account = users.lockById(userId).orElseThrow(Accounts.notFound());
        String hash = users.findPasswordHash(userId).orElseThrow(Accounts.notFound());
        if (!passwords.matches(password, hash)) {
            // Like a wrong login password: a stolen session must not guess its way to erasing the account.
            failures.recordFailureForEmail(account.email());
            throw new AccountsException(Reason.INVALID_CREDENTIALS, "password is wrong", "password");
        }
        if (account.role() == UserRole.ADMIN) {
            throw new AccountsException(Reason.CANNOT_DELETE_SELF,
                    "an admin cannot delete their own account; ask another admin to remove your admin role first", null);
        }
        if (account.twoFactorEnabled()) {
            if (secondFactor == null || secondFactor.isBlank()) {
                throw new AccountsException(Reason.TWO_FACTOR_REQUIRED,
                        "the account uses two-factor authentication: send totpCode (or a backup code)", "totpCode");
            }
            if (!secondFactors.acceptEither(userId, secondFactor)) {
                failures.recordFailureForEmail(account.email());
                throw new AccountsException(Reason.INVALID_TWO_FACTOR_CODE, "the code is wrong or used already",
                        "totpCode");
            }
        }
        for (PersonalData p : features) {
            Optional<PersonalData.ErasureBlocker> blocker = p.erasureBlocker(userId);
            if (blocker.isPresent()) {
                throw new ErasureBlockedException(blocker.get());
            }
        }
        // Audited first, and sessions ended (one audit entry each) before any feature erases, so that
        // the audit feature's erasure also scrubs these entries' address and user agent.
        audit.record(new AuditEvent(userId, AuditAction.ACCOUNT_ERASED, "user", userId.toString(), Map.of(
                "features", features.stream().map(PersonalData::feature).collect(Collectors.joining(",")))));
        sessions.endAll(userId, null, "account_erased");
        Set<String> addresses = new HashSet<>();
        @Nullable String current = Accounts.currentClientIp();
        if (current != null) {
            addresses.add(current);
        }
        features.forEach(p -> addresses.addAll(p.addressesOf(userId)));
        PersonalDataSubject subject = new PersonalDataSubject(userId, Accounts.normalize(account.email()),
                PersonalDataSubject.erasedEmailOf(userId), addresses);
        features.forEach(p -> p.erase(subject));
    }

    @Override
    public List<Consent> consents(UUID userId) {
        return consents.consents(userId);
    }
}
