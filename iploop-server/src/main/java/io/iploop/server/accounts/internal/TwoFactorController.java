package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.TwoFactorService;
import io.iploop.server.accounts.TwoFactorSetup;
import io.iploop.server.platform.ApiError;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/auth/2fa} (docs/product/accounts.md#two-factor-authentication): TOTP setup, verification (which enables 2FA and hands out
 * backup codes once), disabling and backup-code regeneration. Reachable by accounts that must still
 * change their password and by admins without 2FA, so they can comply. A wrong code answers 400
 * {@code invalid_code} (field {@code code}) and counts toward the login lockout.
 */
@RestController
@RequestMapping("/api/auth/2fa")
@Tag(name = "auth", description = "Accounts and tokens")
class TwoFactorController {

    private final TwoFactorService twoFactorService;

    TwoFactorController(TwoFactorService twoFactorService) {
        this.twoFactorService = twoFactorService;
    }

    @PostMapping("/setup")
    @Operation(summary = "Start 2FA setup: a new TOTP secret (base32), its otpauth:// URI and a QR code PNG data URI",
            description = "2FA is not on until POST /api/auth/2fa/verify accepts a code. A new setup replaces a pending one.")
    @ApiResponse(responseCode = "200", description = "scan the QR code or enter the secret in an authenticator app")
    @ApiResponse(responseCode = "409", description = "two_factor_already_enabled",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    TwoFactorSetup setup(@AuthenticationPrincipal AuthenticatedUser caller) {
        return twoFactorService.setUpTwoFactor(caller.userId());
    }

    @PostMapping("/verify")
    @Operation(summary = "Enable 2FA with a code from the authenticator; returns 8 single-use backup codes, shown once",
            description = "The current token stays as it is; log in again with a TOTP code for a token that counts as "
                    + "two-factor (required for /api/admin/**).")
    @ApiResponse(responseCode = "200", description = "2FA is on")
    @ApiResponse(responseCode = "400", description = "invalid_code or validation_failed (field code)",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "409", description = "two_factor_not_set_up or two_factor_already_enabled",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    BackupCodesResponse verify(@AuthenticationPrincipal AuthenticatedUser caller, @Valid @RequestBody CodeRequest r) {
        return new BackupCodesResponse(true, twoFactorService.enableTwoFactor(caller.userId(), r.code()));
    }

    @PostMapping("/disable")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Disable 2FA; needs a current TOTP code (or a backup code) and the password")
    @ApiResponse(responseCode = "204", description = "2FA is off; backup codes are deleted")
    @ApiResponse(responseCode = "400", description = "invalid_code (field code)",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "401", description = "invalid_credentials: wrong password (field password)",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "409", description = "two_factor_not_enabled",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    void disable(@AuthenticationPrincipal AuthenticatedUser caller, @Valid @RequestBody DisableRequest r) {
        twoFactorService.disableTwoFactor(caller.userId(), r.code(), r.password());
    }

    @PostMapping("/backup-codes")
    @Operation(summary = "Replace the backup codes with 8 new ones (shown once); needs a current TOTP code")
    @ApiResponse(responseCode = "200", description = "the old backup codes no longer work")
    @ApiResponse(responseCode = "400", description = "invalid_code (field code)",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "409", description = "two_factor_not_enabled",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    BackupCodesResponse regenerate(@AuthenticationPrincipal AuthenticatedUser caller,
            @Valid @RequestBody CodeRequest r) {
        return new BackupCodesResponse(true, twoFactorService.regenerateBackupCodes(caller.userId(), r.code()));
    }

    // Request bodies: components are non-null once @Valid has passed.

    /** A TOTP code from the authenticator app. */
    record CodeRequest(@NotBlank @Pattern(regexp = "\\d{6}", message = "6 digits") String code) {}

    /** A TOTP code (6 digits) or a backup code, and the account password. */
    record DisableRequest(@NotBlank @Size(max = 64) String code, @NotBlank @Size(max = 128) String password) {}

    /** 2FA state after the call and the new backup codes ({@code xxxx-xxxx-xxxx-xxxx}), shown this once. */
    record BackupCodesResponse(boolean twoFactorEnabled, List<String> backupCodes) {}
}
