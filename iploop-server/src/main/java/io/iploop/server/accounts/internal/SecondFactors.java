package io.iploop.server.accounts.internal;

import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.platform.PlatformSecrets;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Checks second factors (TOTP codes with replay protection, single-use backup codes) for login and
 * for the 2FA settings, and issues backup codes. TOTP secrets are AES-256-GCM encrypted with the
 * user id as associated data ({@link PlatformSecrets}). Thread-safe.
 */
@Component
class SecondFactors {

    private final UserRepository users;
    private final BackupCodeRepository backupCodes;
    private final TotpCodes totp;
    private final PlatformSecrets secrets;
    private final AuditService audit;

    SecondFactors(UserRepository users, BackupCodeRepository backupCodes, TotpCodes totp, PlatformSecrets secrets,
            AuditService audit) {
        this.users = users;
        this.backupCodes = backupCodes;
        this.totp = totp;
        this.secrets = secrets;
        this.audit = audit;
    }

    /** True when {@code code} is a TOTP code of a step never used before for this account (replay protection). */
    boolean acceptTotp(UUID userId, String code) {
        UserRepository.TotpState state = users.findTotp(userId).orElseThrow(Accounts.notFound());
        @Nullable String encrypted = state.encryptedSecret();
        if (encrypted == null) {
            return false;
        }
        OptionalLong step = totp.matchingStep(secrets.decrypt(encrypted, userId.toString()), code);
        return step.isPresent() && users.consumeTotpStep(userId, step.getAsLong());
    }

    /** True when {@code code} was an unused backup code of the account, which is now used up (audited). */
    boolean acceptBackupCode(UUID userId, @Nullable String code) {
        if (code == null || code.isBlank() || !backupCodes.use(userId, TotpCodes.backupCodeHash(code))) {
            return false;
        }
        audit.record(AuditEvent.ofUser(userId, AuditAction.BACKUP_CODE_USED,
                Map.of("remaining", Integer.toString(backupCodes.remaining(userId)))));
        return true;
    }

    /** A 6-digit {@code code} is checked as TOTP, anything else as a backup code. */
    boolean acceptEither(UUID userId, String code) {
        String c = code.strip();
        return c.length() == TotpCodes.DIGITS && c.chars().allMatch(Character::isDigit)
                ? acceptTotp(userId, c) : acceptBackupCode(userId, c);
    }

    /** Replaces the account's backup codes with new ones. @return the codes in clear, to show once */
    List<String> issueBackupCodes(UUID userId) {
        List<String> codes = totp.newBackupCodes();
        backupCodes.replace(userId, codes.stream().map(TotpCodes::backupCodeHash).toList());
        return codes;
    }

    /** Turns 2FA off: secret and backup codes are gone. */
    void clear(UUID userId) {
        users.clearTotp(userId);
        backupCodes.deleteAll(userId);
    }
}
