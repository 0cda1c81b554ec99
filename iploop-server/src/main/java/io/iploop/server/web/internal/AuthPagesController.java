package io.iploop.server.web.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.EmailVerificationService;
import io.iploop.server.accounts.LoginAttempt;
import io.iploop.server.accounts.LoginResult;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.accounts.PasswordService;
import io.iploop.server.accounts.SignInService;
import io.iploop.server.platform.ApiException;
import io.iploop.server.platform.EmailAddress;
import io.iploop.server.platform.PlatformSecrets;
import io.iploop.server.platform.WebSessionCookie;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.SignupPlan;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The public pages of docs/product/dashboard.md#public-pages: log in (with show-password), sign up, forgot and reset
 * password, e-mail verification (the mailed links point here), the 2FA code step, and logout. Logging in puts the JWT
 * the accounts service issues into the {@link WebSessionCookie}; logging out revokes it like the
 * API's logout and clears the cookie. Errors of the accounts service are shown verbatim in the red
 * alert (docs/product/dashboard.md#errors-and-states). Stateless; thread-safe.
 */
@Controller
final class AuthPagesController {

    /** How long the code step may take after the password step. */
    private static final Duration PENDING_LIFETIME = Duration.ofMinutes(5);
    /** Associated data binding the sealed value to this use. */
    private static final String PENDING_AAD = "web-login-2fa";

    private final AccountsService accounts;
    private final SignInService signIn;
    private final PasswordService passwordService;
    private final EmailVerificationService emailVerification;
    private final PlatformSecrets secrets;
    private final PlansService plans;

    AuthPagesController(AccountsService accounts, SignInService signIn, PasswordService passwordService,
            EmailVerificationService emailVerification, PlatformSecrets secrets, PlansService plans) {
        this.accounts = accounts;
        this.signIn = signIn;
        this.passwordService = passwordService;
        this.emailVerification = emailVerification;
        this.secrets = secrets;
        this.plans = plans;
    }

    /** The sign-up form names the plan an admin chose for new accounts (docs/product/plans.md#sign-up-plan). */
    @ModelAttribute("signupPlan")
    SignupPlan signupPlan() {
        return plans.signupPlan();
    }

    @GetMapping("/login")
    String login(@RequestParam(required = false) @Nullable String signup, @RequestParam(required = false) @Nullable String ref,
            Model model) {
        if (PageModelAdvice.currentUser() != null) {
            return "redirect:/dashboard";
        }
        model.addAttribute("tab", signup != null || ref != null ? "signup" : "login");
        model.addAttribute("form", SignupForm.withRef(ref));
        model.addAttribute("errors", Map.of());
        return "auth/login";
    }

    @GetMapping("/signup")
    String signupPage() {
        return "redirect:/login?signup";
    }

    /**
     * The sign-up link of referral invitations ({@code EarnService.referralCode}: {@code /register?ref=CODE},
     * docs/product/earn.md#referrals): the sign-up form with the code kept in a hidden field.
     */
    @GetMapping("/register")
    String register(@RequestParam(defaultValue = "") String ref) {
        return ref.isBlank() ? "redirect:/login?signup"
                : "redirect:/login?signup&ref=" + java.net.URLEncoder.encode(ref.strip(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @PostMapping("/login")
    String doLogin(@RequestParam(defaultValue = "") String email, @RequestParam(defaultValue = "") String password,
            HttpServletRequest request, HttpServletResponse response, Model model) {
        model.addAttribute("tab", "login");
        model.addAttribute("form", SignupForm.empty());
        model.addAttribute("errors", Map.of());
        model.addAttribute("email", email);
        if (email.isBlank() || password.isEmpty()) {
            model.addAttribute("error", "Enter your e-mail and password.");
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            return "auth/login";
        }
        try {
            LoginResult r = signIn.login(new LoginAttempt(email.strip(), password, null, null, request.getRemoteAddr(),
                    request.getHeader(HttpHeaders.USER_AGENT)));
            response.addHeader(HttpHeaders.SET_COOKIE,
                    WebSessionCookie.issue(r.token(), r.expiresAt(), request.isSecure()).toString());
            return "redirect:/dashboard";
        } catch (AccountsException e) {
            if (e.reason() == AccountsException.Reason.TWO_FACTOR_REQUIRED) {
                // docs/product/accounts.md#two-factor-authentication: the password was right; ask for the code on a second step.
                model.addAttribute("pending", pending(email.strip(), password));
                return "auth/two-factor";
            }
            model.addAttribute("error", message(e));
            model.addAttribute("retryAt", e.retryAt());
            response.setStatus(e.status().value());
            return "auth/login";
        }
    }

    /**
     * The 2FA code step (docs/product/accounts.md#login, #two-factor-authentication): the login is tried again with the e-mail and
     * password carried in {@code pending} and the TOTP or backup code. A wrong code shows the step
     * again (it counts toward the lockout like a wrong password); an expired or forged
     * {@code pending} sends the person back to the password step.
     */
    @PostMapping("/login/2fa")
    String doTwoFactor(@RequestParam(defaultValue = "") String pending, @RequestParam(defaultValue = "") String code,
            @RequestParam(defaultValue = "") String backupCode, HttpServletRequest request, HttpServletResponse response,
            Model model) {
        String[] parts = openPending(pending);
        if (parts == null) {
            model.addAttribute("tab", "login");
            model.addAttribute("form", SignupForm.empty());
            model.addAttribute("errors", Map.of());
            model.addAttribute("error", "Your sign-in took too long. Enter your e-mail and password again.");
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            return "auth/login";
        }
        model.addAttribute("pending", pending);
        String totp = code.replaceAll("\\s", "");
        String backup = backupCode.strip();
        boolean useBackup = !backup.isEmpty();
        model.addAttribute("useBackup", useBackup);
        if (!useBackup && !totp.matches("\\d{6}")) {
            model.addAttribute("error", "Enter the 6-digit code from your authenticator app.");
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            return "auth/two-factor";
        }
        try {
            LoginResult r = signIn.login(new LoginAttempt(parts[0], parts[1], useBackup ? null : totp,
                    useBackup ? backup : null, request.getRemoteAddr(), request.getHeader(HttpHeaders.USER_AGENT)));
            response.addHeader(HttpHeaders.SET_COOKIE,
                    WebSessionCookie.issue(r.token(), r.expiresAt(), request.isSecure()).toString());
            return "redirect:/dashboard";
        } catch (AccountsException e) {
            if (e.reason() == AccountsException.Reason.INVALID_TWO_FACTOR_CODE) {
                model.addAttribute("error", (useBackup ? "That backup code is wrong or was used already."
                        : "That code is wrong or expired. Wait for the next code and try again.")
                        + (e.retryAt() == null ? "" : " Too many failures: the account is locked for now."));
                model.addAttribute("retryAt", e.retryAt());
                response.setStatus(e.status().value());
                return "auth/two-factor";
            }
            model.addAttribute("tab", "login");
            model.addAttribute("form", SignupForm.empty());
            model.addAttribute("errors", Map.of());
            model.addAttribute("email", parts[0]);
            model.addAttribute("error", message(e));
            model.addAttribute("retryAt", e.retryAt());
            response.setStatus(e.status().value());
            return "auth/login";
        }
    }

    /**
     * E-mail, password and expiry sealed with AES-256-GCM ({@link PlatformSecrets}) for the hidden
     * field of the code step: the browser keeps nothing it could read, and the server keeps no state.
     */
    private String pending(String email, String password) {
        long expires = Instant.now().plus(PENDING_LIFETIME).getEpochSecond();
        return secrets.encrypt(expires + "\n" + email + "\n" + password, PENDING_AAD);
    }

    /** {@code [email, password]} of an unexpired {@link #pending} value, or null. */
    private String @Nullable [] openPending(String pending) {
        if (pending.isBlank() || pending.length() > 2000) {
            return null;
        }
        try {
            String[] p = secrets.decrypt(pending, PENDING_AAD).split("\n", 3);
            if (p.length != 3 || Instant.now().getEpochSecond() > Long.parseLong(p[0])) {
                return null;
            }
            return new String[] {p[1], p[2]};
        } catch (RuntimeException e) {
            return null;
        }
    }

    @PostMapping("/signup")
    String doSignup(SignupForm form, HttpServletResponse response, Model model) {
        model.addAttribute("tab", "signup");
        model.addAttribute("form", form);
        Map<String, String> errors = form.errors();
        model.addAttribute("errors", errors);
        if (!errors.isEmpty()) {
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            return "auth/login";
        }
        try {
            String company = SignupForm.strip(form.company());
            // No session: the person signs in after opening the mailed link (a session the browser
            // never received would show as a second device and outlive its logout).
            String ref = SignupForm.strip(form.ref());
            Account created = signIn.signUp(NewAccount.customer(SignupForm.strip(form.email()), form.password(),
                    SignupForm.strip(form.firstName()), SignupForm.strip(form.lastName()),
                    company.isEmpty() ? null : company), ref.isEmpty() ? null : ref, form.termsAccepted());
            if (form.wantsToEarn()) {
                // "earn" at sign-up (docs/product/dashboard.md#first-hour) shows the earn dashboard before any device is enrolled.
                accounts.becomeOperator(created.id());
            }
            model.addAttribute("email", SignupForm.strip(form.email()));
            return "auth/signup-done";
        } catch (AccountsException e) {
            model.addAttribute("error", message(e));
            response.setStatus(e.status().value());
            Long retryAfter = e.retryAfterSeconds();
            if (retryAfter != null) {
                response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
            }
            return "auth/login";
        } catch (ApiException e) {
            // Another feature refused the registration inside its transaction, e.g. an unknown referral code.
            model.addAttribute("error", capitalize(e.getMessage()));
            response.setStatus(e.status().value());
            return "auth/login";
        }
    }

    @PostMapping("/logout")
    String logout(HttpServletRequest request, HttpServletResponse response) {
        WebSessionCookie.read(request).ifPresent(signIn::logout);
        response.addHeader(HttpHeaders.SET_COOKIE, WebSessionCookie.clear(request.isSecure()).toString());
        return "redirect:/login?logout";
    }

    @GetMapping("/forgot-password")
    String forgot() {
        return "auth/forgot-password";
    }

    @PostMapping("/forgot-password")
    String doForgot(@RequestParam(defaultValue = "") String email, HttpServletResponse response, Model model) {
        model.addAttribute("email", email);
        // One bounded, linear check (docs/security.md): this form is public.
        String problem = EmailAddress.problem(email.strip());
        if (problem != null) {
            if (email.length() > EmailAddress.MAX_LENGTH) {
                model.addAttribute("email", ""); // not echoed back
            }
            model.addAttribute("error", "E-mail " + problem + ".");
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            return "auth/forgot-password";
        }
        passwordService.requestPasswordReset(email.strip());
        model.addAttribute("sent", true);
        return "auth/forgot-password";
    }

    @GetMapping("/reset-password")
    String reset(@RequestParam(defaultValue = "") String token, HttpServletResponse response, Model model) {
        model.addAttribute("token", token);
        try {
            passwordService.checkPasswordResetToken(token);
        } catch (AccountsException e) {
            model.addAttribute("invalid", true);
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        }
        return "auth/reset-password";
    }

    @PostMapping("/reset-password")
    String doReset(@RequestParam(defaultValue = "") String token, @RequestParam(defaultValue = "") String password,
            @RequestParam(defaultValue = "") String confirmPassword, HttpServletResponse response, Model model) {
        model.addAttribute("token", token);
        String error = password.length() < 8 ? "Password must be at least 8 characters"
                : password.length() > 128 ? "Password must be at most 128 characters"
                : !password.equals(confirmPassword) ? "Passwords do not match" : null;
        if (error != null) {
            model.addAttribute("error", error);
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            return "auth/reset-password";
        }
        try {
            passwordService.resetPassword(token, password);
            model.addAttribute("done", true);
        } catch (AccountsException e) {
            model.addAttribute("invalid", true);
            response.setStatus(e.status().value());
        }
        return "auth/reset-password";
    }

    /**
     * Shows a button rather than verifying on GET: mail scanners that prefetch links must not use
     * the single-use token up.
     */
    @GetMapping("/verify-email")
    String verify(@RequestParam(defaultValue = "") String token, Model model) {
        model.addAttribute("token", token);
        model.addAttribute("state", token.isBlank() ? "invalid" : "ready");
        return "auth/verify-email";
    }

    @PostMapping("/verify-email")
    String doVerify(@RequestParam(defaultValue = "") String token, HttpServletResponse response, Model model) {
        model.addAttribute("token", token);
        try {
            emailVerification.verifyEmail(token);
            model.addAttribute("state", "verified");
        } catch (AccountsException e) {
            model.addAttribute("state", "invalid");
            response.setStatus(e.status().value());
        }
        return "auth/verify-email";
    }

    /** The wording of docs/product/dashboard.md#errors-and-states where it has one, else the service's own message. */
    private static String message(AccountsException e) {
        // A lock's end is shown beside the message in the reader's own time (fragments/ui :: retryAt),
        // not as the service's UTC instant.
        return switch (e.reason()) {
            case INVALID_CREDENTIALS -> e.retryAt() == null ? "Invalid email or password"
                    : "Invalid email or password. Too many failures: the account is locked for now.";
            case ACCOUNT_LOCKED -> "Too many failed sign-ins: this account is locked for now.";
            case TOO_MANY_ATTEMPTS -> e.retryAt() == null ? capitalize(e.getMessage())
                    : "Too many failed sign-ins from your address: sign-in is blocked for now.";
            case ACCOUNT_SUSPENDED -> "Account is not active";
            case EMAIL_TAKEN -> "User already exists";
            default -> capitalize(e.getMessage());
        };
    }

    private static String capitalize(@Nullable String s) {
        return s == null || s.isEmpty() ? "Something went wrong" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
