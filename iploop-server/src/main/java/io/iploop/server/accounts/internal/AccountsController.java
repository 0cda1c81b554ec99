package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.EmailVerificationService;
import io.iploop.server.accounts.LoginAttempt;
import io.iploop.server.accounts.LoginResult;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.NotificationPreferences;
import io.iploop.server.accounts.PasswordService;
import io.iploop.server.accounts.ProfileService;
import io.iploop.server.accounts.SignInService;
import io.iploop.server.accounts.UserView;
import io.iploop.server.platform.ApiError;
import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.platform.EmailAddress;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/auth} (docs/product/api.md#endpoint-groups): registration, login (with a second factor when 2FA is on,
 * docs/product/accounts.md#two-factor-authentication), logout, password change and reset, e-mail verification. 2FA management
 * is in {@link TwoFactorController}, sessions in {@link SessionsController}. The profile ({@code GET/PUT
 * /api/auth/profile}) includes the plan, so the plans feature serves it (accounts must not depend on
 * plans, docs/architecture.md).
 */
@RestController
@RequestMapping("/api/auth")
@Tag(name = "auth", description = "Accounts and tokens")
class AccountsController {

    private final SignInService signIn;
    private final PasswordService passwordService;
    private final EmailVerificationService emailVerification;
    private final ProfileService profiles;

    AccountsController(SignInService signIn, PasswordService passwordService,
            EmailVerificationService emailVerification, ProfileService profiles) {
        this.signIn = signIn;
        this.passwordService = passwordService;
        this.emailVerification = emailVerification;
        this.profiles = profiles;
    }

    @PostMapping("/register")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a customer account; returns a JWT (24 h)",
            description = "ref: a node operator's referral code (docs/product/earn.md#referrals); an unknown code is a 400 naming ref. "
                    + "acceptTerms must be true: the caller accepts the current terms of service and privacy policy "
                    + "(GET /api/privacy/policy), recorded with time and IP; otherwise 400 terms_not_accepted naming acceptTerms "
                    + "(docs/privacy.md#consent).")
    TokenResponse register(@Valid @RequestBody RegisterRequest r,
            @RequestParam(name = "ref", required = false) @Nullable String ref) {
        return TokenResponse.of(signIn.register(
                NewAccount.customer(r.email(), r.password(), r.firstName(), r.lastName(), r.company()), ref,
                Boolean.TRUE.equals(r.acceptTerms())));
    }

    @PostMapping("/login")
    @Operation(summary = "Exchange e-mail and password (plus a TOTP or backup code when 2FA is on) for a JWT (24 h)",
            description = """
                    Opens a login session (listed by GET /api/auth/sessions; the JWT carries its id as `sid`).
                    When the account uses two-factor authentication and neither `totpCode` nor `backupCode` is
                    sent, the answer is **401 with error code `two_factor_required`** (field `totpCode`): the
                    password was right, ask the user for the code and send the same request again with
                    `totpCode` (6 digits) or `backupCode`. A wrong, expired or already used code answers 401
                    `invalid_two_factor_code` and counts toward the lockout like a wrong password. A TOTP code
                    is accepted once (replay protection); each backup code works once.""")
    @ApiResponse(responseCode = "200", description = "logged in")
    @ApiResponse(responseCode = "401", description = "invalid_credentials, two_factor_required or invalid_two_factor_code",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "423", description = "account_locked after too many failures",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    TokenResponse login(@Valid @RequestBody LoginRequest r, HttpServletRequest request) {
        return TokenResponse.of(signIn.login(new LoginAttempt(r.email(), r.password(), r.totpCode(), r.backupCode(),
                request.getRemoteAddr(), request.getHeader(HttpHeaders.USER_AGENT))));
    }

    @PostMapping("/logout")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "End the caller's session and blacklist its token until it expires (docs/product/accounts.md#tokens-and-logout)")
    void logout(@RequestHeader(HttpHeaders.AUTHORIZATION) String authorization) {
        signIn.logout(authorization.substring("Bearer ".length()).strip());
    }

    @PutMapping("/password")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Change the caller's password; ends every other session and clears must-change-password")
    void changePassword(@AuthenticationPrincipal AuthenticatedUser caller, @Valid @RequestBody PasswordRequest r) {
        passwordService.changePassword(caller.userId(), caller.sessionId(), r.currentPassword(), r.newPassword());
    }

    @PostMapping("/forgot-password")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Mail a password reset link (1 h); the answer is the same whether the e-mail exists or not")
    MessageResponse forgotPassword(@Valid @RequestBody ForgotPasswordRequest r) {
        passwordService.requestPasswordReset(r.email());
        return new MessageResponse("if an account uses this e-mail, a reset link is on its way");
    }

    @GetMapping("/verify-reset-token")
    @Operation(summary = "Check that a password reset token is unused and unexpired")
    ValidResponse verifyResetToken(@RequestParam @NotBlank @Size(max = 128) String token) {
        passwordService.checkPasswordResetToken(token);
        return new ValidResponse(true);
    }

    @PostMapping("/reset-password")
    @Operation(summary = "Set a new password with a reset token (single use); ends every session of the account")
    MessageResponse resetPassword(@Valid @RequestBody ResetPasswordRequest r) {
        passwordService.resetPassword(r.token(), r.newPassword());
        return new MessageResponse("password changed; log in with the new password");
    }

    @GetMapping("/verify-email")
    @Operation(summary = "Mark the e-mail address verified with the mailed token")
    MessageResponse verifyEmail(@RequestParam @NotBlank @Size(max = 128) String token) {
        emailVerification.verifyEmail(token);
        return new MessageResponse("e-mail address verified");
    }

    @PostMapping("/resend-verification")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Mail a new e-mail verification link")
    MessageResponse resendVerification(@AuthenticationPrincipal AuthenticatedUser caller) {
        emailVerification.resendVerification(caller.userId());
        return new MessageResponse("verification e-mail sent");
    }

    @DeleteMapping("/account")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Erase the caller's own account after checking the password (and a 2FA code when 2FA is on); "
            + "the same as DELETE /api/account (docs/privacy.md#erasure)")
    void deleteAccount(@AuthenticationPrincipal AuthenticatedUser caller, @Valid @RequestBody DeleteAccountRequest r) {
        profiles.deleteOwnAccount(caller.userId(), r.password(), r.totpCode());
    }

    @GetMapping("/notification-preferences")
    @Operation(summary = "Which e-mails the caller's account gets (all on until saved)")
    NotificationPreferences notificationPreferences(@AuthenticationPrincipal AuthenticatedUser caller) {
        return profiles.notificationPreferences(caller.userId());
    }

    @PutMapping("/notification-preferences")
    @Operation(summary = "Choose which e-mails the caller's account gets")
    NotificationPreferences setNotificationPreferences(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestBody NotificationPreferencesRequest r) {
        return profiles.setNotificationPreferences(caller.userId(), new NotificationPreferences(
                required(r.lowBalance(), "lowBalance"), required(r.weeklyReport(), "weeklyReport"),
                required(r.securityAlerts(), "securityAlerts"), Boolean.TRUE.equals(r.dailyDigest())));
    }

    private static boolean required(@Nullable Boolean value, String field) {
        if (value == null) {
            throw new AccountsException(AccountsException.Reason.INVALID_ACCOUNT, field + ": required (true or false)", field);
        }
        return value;
    }

    // Request bodies: components are non-null once @Valid has passed (Jackson may bind null before).

    /**
     * Notification preferences as sent: the three original switches are required; the opt-in
     * {@code dailyDigest} (added later) is off when left out, so clients written before it still
     * save (docs/operator-transparency.md#daily-digest).
     */
    record NotificationPreferencesRequest(@Nullable Boolean lowBalance, @Nullable Boolean weeklyReport,
            @Nullable Boolean securityAlerts, @Nullable Boolean dailyDigest) {}

    /**
     * Registration form (docs/product/accounts.md#registration). The rules are {@link NewAccount}'s constraints, checked by
     * the accounts feature when it creates the account (400 {@code validation_failed} naming the field).
     */
    record RegisterRequest(@Nullable String email, @Nullable String password, @Nullable String firstName,
            @Nullable String lastName, @Nullable String company, @Nullable Boolean acceptTerms) {}

    /**
     * docs/product/accounts.md#login, #two-factor-authentication: {@code totpCode} or {@code backupCode} when the account uses 2FA.
     */
    record LoginRequest(@NotBlank @Size(max = 255) String email, @NotBlank @Size(max = 128) String password,
            @Pattern(regexp = "\\d{6}", message = "6 digits") @Nullable String totpCode,
            @Size(max = 64) @Nullable String backupCode) {}

    /**
     * docs/product/accounts.md#account-deletion, docs/privacy.md#erasure: the password confirms the
     * deletion; {@code totpCode} (a TOTP or backup code) too when the account uses 2FA.
     */
    record DeleteAccountRequest(@NotBlank @Size(max = 128) String password, @Size(max = 64) @Nullable String totpCode) {}

    record ForgotPasswordRequest(@NotBlank @EmailAddress.Valid String email) {}

    record ResetPasswordRequest(@NotBlank @Size(max = 128) String token,
            @NotBlank @Size(min = 8, max = 128) String newPassword) {}

    record PasswordRequest(@NotBlank String currentPassword,
            @NotBlank @Size(min = 8, max = 128) String newPassword) {}

    record TokenResponse(String token, Instant expiresAt, UserView user) {

        static TokenResponse of(LoginResult r) {
            return new TokenResponse(r.token(), r.expiresAt(), UserView.of(r.account()));
        }
    }

    record MessageResponse(String message) {}

    record ValidResponse(boolean valid) {}

}
