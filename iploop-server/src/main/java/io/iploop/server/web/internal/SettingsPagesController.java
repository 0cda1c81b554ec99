package io.iploop.server.web.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.NotificationPreferences;
import io.iploop.server.accounts.PasswordService;
import io.iploop.server.accounts.PrivacyService;
import io.iploop.server.accounts.ProfileService;
import io.iploop.server.accounts.ProfileUpdate;
import io.iploop.server.accounts.SignInService;
import io.iploop.server.accounts.TwoFactorService;
import io.iploop.server.accounts.TwoFactorSetup;
import io.iploop.server.keys.ApiKeysService;
import io.iploop.server.keys.IpAuthorisation;
import io.iploop.server.keys.KeysException;
import io.iploop.server.platform.ApiException;
import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.plans.PlansException;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.UsageAlertSettings;
import io.iploop.server.platform.WebSessionCookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The settings page (docs/product/accounts.md#profile-and-settings, #two-factor-authentication, #ip-whitelist, #login-sessions): profile, password, e-mail
 * notification preferences, two-factor authentication (setup with QR code and secret, verify,
 * backup codes shown once with copy and download, regenerate, disable with code and password),
 * active sessions with terminate and "log out everywhere else", the account-level IP whitelist, the
 * addresses served without credentials (docs/ip-authorised-access.md) and
 * account deletion. Everything goes through {@link AccountsService} and {@link ApiKeysService} for
 * the signed-in account. Actions redirect back with a {@code done} message, except those that show
 * a secret once (2FA setup, backup codes), which render it directly so it never travels in a URL;
 * a form error renders the page again with the message next to the field. Stateless; thread-safe.
 */
@Controller
final class SettingsPagesController {

    /**
     * The section (element id on the page) each {@code ?done=} belongs to: its message is shown
     * there and the redirect lands at {@code #section}, so the result sits where the user acted.
     */
    private static final Map<String, String> DONE_SECTION = Map.of("profile", "profile", "password", "password",
            "notifications", "notifications", "2fa-off", "two-factor", "session", "sessions", "sessions", "sessions",
            "whitelist", "whitelist", "usage-alerts", "usage-alerts", "ip-auth", "ip-auth", "use-case", "use-case");

    /** Confirmation texts for {@code ?done=}; anything else shows nothing. */
    private static final Map<String, String> DONE = Map.of(
            "profile", "Profile saved.",
            "password", "Password changed. Your other sessions were signed out.",
            "notifications", "Notification preferences saved.",
            "2fa-off", "Two-factor authentication is off. Your account is protected by your password only.",
            "session", "Session ended. Its browser or API client is signed out from its next request on.",
            "sessions", "Every other session was ended.",
            "whitelist", "Account IP whitelist saved. The proxy applies it within 5 seconds.",
            "usage-alerts", "Usage alerts saved.",
            "ip-auth", "Addresses without credentials saved. The proxy applies them within 5 seconds.",
            "use-case", "Use case saved.");

    private final AccountsService accounts;
    private final SignInService signIn;
    private final PasswordService passwordService;
    private final ProfileService profiles;
    private final TwoFactorService twoFactorService;
    private final ApiKeysService keys;
    private final PlansService plans;
    private final PrivacyService privacy;

    SettingsPagesController(AccountsService accounts, SignInService signIn, PasswordService passwordService,
            ProfileService profiles, TwoFactorService twoFactorService, ApiKeysService keys, PlansService plans,
            PrivacyService privacy) {
        this.plans = plans;
        this.privacy = privacy;
        this.accounts = accounts;
        this.signIn = signIn;
        this.passwordService = passwordService;
        this.profiles = profiles;
        this.twoFactorService = twoFactorService;
        this.keys = keys;
    }

    @GetMapping("/settings")
    String page(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(required = false) @Nullable String done,
            @RequestParam(required = false) @Nullable String twoFactor, Model model) {
        model.addAttribute("done", done == null ? null : DONE.get(done));
        model.addAttribute("doneSection", done == null ? null : DONE_SECTION.get(done));
        // Sent here by the page chain: an admin whose session was opened without 2FA (docs/product/accounts.md#two-factor-authentication).
        model.addAttribute("adminNeedsTwoFactor", "required".equals(twoFactor) && me.isAdmin());
        return render(me, model);
    }

    @PostMapping("/settings/profile")
    String profile(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String firstName,
            @RequestParam(defaultValue = "") String lastName, @RequestParam(defaultValue = "") String company,
            @RequestParam(defaultValue = "") String phone, HttpServletResponse response, Model model) {
        Map<String, String> errors = new LinkedHashMap<>();
        name(errors, "firstName", firstName.strip(), "First name");
        name(errors, "lastName", lastName.strip(), "Last name");
        if (company.strip().length() > 255) {
            errors.put("company", "Company must be at most 255 characters");
        }
        // The REST API's rule for phone numbers (AccountsController.ProfileRequest).
        if (phone.strip().length() > 20 || !phone.strip().matches("[+0-9 ()./-]*")) {
            errors.put("phone", "Phone: at most 20 characters, digits, spaces and + ( ) . / - only");
        }
        if (!errors.isEmpty()) {
            model.addAttribute("profileErrors", errors);
            model.addAttribute("profileForm", Map.of("firstName", firstName, "lastName", lastName, "company", company,
                    "phone", phone));
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            return render(me, model);
        }
        profiles.updateProfile(me.userId(), new ProfileUpdate(firstName.strip(), lastName.strip(),
                blankToNull(company), blankToNull(phone)));
        return "redirect:/settings?done=profile#profile";
    }

    @PostMapping("/settings/password")
    String password(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String currentPassword,
            @RequestParam(defaultValue = "") String newPassword, @RequestParam(defaultValue = "") String confirmPassword,
            HttpServletResponse response, Model model) {
        Map<String, String> errors = new LinkedHashMap<>();
        if (currentPassword.isEmpty()) {
            errors.put("currentPassword", "Enter your current password");
        }
        if (newPassword.length() < 8) {
            errors.put("newPassword", "Password must be at least 8 characters");
        } else if (newPassword.length() > 128) {
            errors.put("newPassword", "Password must be at most 128 characters");
        }
        if (!newPassword.equals(confirmPassword)) {
            errors.put("confirmPassword", "Passwords do not match");
        }
        if (errors.isEmpty()) {
            try {
                passwordService.changePassword(me.userId(), me.sessionId(), currentPassword, newPassword);
                return "redirect:/settings?done=password#password";
            } catch (AccountsException e) {
                errors.put(e.field() != null ? e.field() : "currentPassword", capitalize(e.getMessage()));
                response.setStatus(e.status().value());
            }
        } else {
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        }
        model.addAttribute("passwordErrors", errors);
        return render(me, model);
    }

    @PostMapping("/settings/notifications")
    String notifications(@AuthenticationPrincipal AuthenticatedUser me,
            @RequestParam(defaultValue = "false") boolean lowBalance, @RequestParam(defaultValue = "false") boolean weeklyReport,
            @RequestParam(defaultValue = "false") boolean securityAlerts,
            @RequestParam(defaultValue = "false") boolean dailyDigest) {
        profiles.setNotificationPreferences(me.userId(), new NotificationPreferences(lowBalance, weeklyReport, securityAlerts,
                dailyDigest));
        return "redirect:/settings?done=notifications#notifications";
    }

    /**
     * The declared use case (docs/operator-transparency.md#customer-categories); empty clears it. An
     * unknown value is only possible from a forged form: the API's 400 error page names it.
     */
    @PostMapping("/settings/use-case")
    String useCase(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String useCase) {
        profiles.setUseCase(me.userId(), useCase.isBlank() ? null : useCase.strip());
        return "redirect:/settings?done=use-case#use-case";
    }

    /** Usage alerts (docs/plans-and-alerts.md#usage-alerts): 80 %, 100 % and an optional custom threshold. */
    @PostMapping("/settings/usage-alerts")
    String usageAlerts(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "false") boolean at80,
            @RequestParam(defaultValue = "false") boolean at100, @RequestParam(defaultValue = "") String customPercent,
            Model model, HttpServletResponse response) {
        String text = customPercent.strip();
        String error;
        try {
            Integer custom = text.isEmpty() ? null : Integer.valueOf(text);
            plans.setAlertSettings(me.userId(), new UsageAlertSettings(at80, at100, custom));
            return "redirect:/settings?done=usage-alerts#usage-alerts";
        } catch (NumberFormatException e) {
            error = "Custom threshold: a whole number from 1 to 100, or empty for none.";
        } catch (PlansException e) {
            error = "Custom threshold: from 1 to 100 %, or empty for none.";
        }
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        model.addAttribute("alertsError", error);
        model.addAttribute("alertsCustomText", text);
        return render(me, model);
    }

    @PostMapping("/settings/2fa/setup")
    String twoFactorSetup(@AuthenticationPrincipal AuthenticatedUser me, Model model) {
        model.addAttribute("setup", twoFactorService.setUpTwoFactor(me.userId()));
        return render(me, model);
    }

    /**
     * Enables 2FA with a code. A wrong code shows the same QR code and secret again (sent back in
     * hidden fields of the form: starting a new setup would invalidate what the app already scanned).
     */
    @PostMapping("/settings/2fa/enable")
    String twoFactorEnable(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String code,
            @RequestParam(defaultValue = "") String secret, @RequestParam(defaultValue = "") String otpauthUri,
            @RequestParam(defaultValue = "") String qrCode, HttpServletResponse response, Model model) {
        try {
            model.addAttribute("backupCodes", twoFactorService.enableTwoFactor(me.userId(), code.replaceAll("\\s", "")));
            model.addAttribute("justEnabled", true);
        } catch (AccountsException e) {
            if (e.reason() == AccountsException.Reason.INVALID_CODE && qrCode.startsWith("data:image/png;base64,")) {
                model.addAttribute("setup", new TwoFactorSetup(secret, otpauthUri, qrCode));
            }
            model.addAttribute("twoFactorError", e.reason() == AccountsException.Reason.INVALID_CODE
                    ? "That code is not right. Check the time on your phone and enter the current code." : capitalize(e.getMessage()));
            response.setStatus(e.status().value());
        }
        return render(me, model);
    }

    @PostMapping("/settings/2fa/backup-codes")
    String backupCodes(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String code,
            HttpServletResponse response, Model model) {
        try {
            model.addAttribute("backupCodes", twoFactorService.regenerateBackupCodes(me.userId(), code.replaceAll("\\s", "")));
        } catch (AccountsException e) {
            model.addAttribute("regenerateError", e.reason() == AccountsException.Reason.INVALID_CODE
                    ? "That code is not right. Enter the current code from your authenticator app." : capitalize(e.getMessage()));
            response.setStatus(e.status().value());
        }
        return render(me, model);
    }

    @PostMapping("/settings/2fa/disable")
    String twoFactorDisable(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String code,
            @RequestParam(defaultValue = "") String password, HttpServletResponse response, Model model) {
        try {
            twoFactorService.disableTwoFactor(me.userId(), code.strip(), password);
            return "redirect:/settings?done=2fa-off#two-factor";
        } catch (AccountsException e) {
            model.addAttribute("disableError", switch (e.reason()) {
                case INVALID_CREDENTIALS -> "Your password is wrong.";
                case INVALID_CODE -> "That code is not right. Enter the current code or a backup code.";
                default -> capitalize(e.getMessage());
            });
            response.setStatus(e.status().value());
            return render(me, model);
        }
    }

    @PostMapping("/settings/sessions/{id}/end")
    String endSession(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id) {
        signIn.endSession(me.userId(), id);
        return id.equals(me.sessionId()) ? "redirect:/login?logout" : "redirect:/settings?done=session#sessions";
    }

    @PostMapping("/settings/sessions/end-others")
    String endOtherSessions(@AuthenticationPrincipal AuthenticatedUser me) {
        signIn.endSessions(me.userId(), me.sessionId());
        return "redirect:/settings?done=sessions#sessions";
    }

    @PostMapping("/settings/whitelist")
    String whitelist(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String ips,
            HttpServletResponse response, Model model) {
        List<String> entries = Arrays.stream(ips.split("[\\s,]+")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        try {
            keys.setAccountWhitelist(me.userId(), entries);
            return "redirect:/settings?done=whitelist#whitelist";
        } catch (KeysException e) {
            model.addAttribute("whitelistText", ips);
            model.addAttribute("whitelistError", capitalize(e.getMessage()));
            response.setStatus(e.status().value());
            return render(me, model);
        }
    }

    /**
     * IP-authorised access (docs/ip-authorised-access.md): one entry a line, the address or range,
     * then optionally its default targeting after a space ({@code 203.0.113.7 country-us}).
     */
    @PostMapping("/settings/ip-authorisations")
    String ipAuthorisations(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String entries,
            HttpServletResponse response, Model model) {
        List<IpAuthorisation> parsed = new ArrayList<>();
        for (String line : entries.split("\\R")) {
            String l = line.strip();
            if (l.isEmpty()) {
                continue;
            }
            String[] parts = l.split("\\s+", 2);
            parsed.add(new IpAuthorisation(parts[0], parts.length > 1 ? parts[1] : ""));
        }
        try {
            keys.setIpAuthorisations(me.userId(), parsed);
            return "redirect:/settings?done=ip-auth#ip-auth";
        } catch (KeysException e) {
            model.addAttribute("ipAuthText", entries);
            model.addAttribute("ipAuthError", capitalize(e.getMessage()));
            response.setStatus(e.status().value());
            return render(me, model);
        }
    }

    /**
     * Deletes the account (docs/product/accounts.md#account-deletion) once the person typed their own e-mail
     * and password; then the cookie is cleared and the login page says what happened.
     */
    @PostMapping("/settings/delete")
    String delete(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String confirmEmail,
            @RequestParam(defaultValue = "") String password, @RequestParam(defaultValue = "") String totpCode,
            HttpServletRequest request, HttpServletResponse response, Model model) {
        if (!confirmEmail.strip().toLowerCase(Locale.ROOT).equals(me.email().toLowerCase(Locale.ROOT))) {
            model.addAttribute("deleteError", "Type your e-mail address exactly as shown to confirm.");
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            return render(me, model);
        }
        try {
            profiles.deleteOwnAccount(me.userId(), password, totpCode.isBlank() ? null : totpCode.strip());
        } catch (AccountsException e) {
            model.addAttribute("deleteError", e.reason() == AccountsException.Reason.INVALID_CREDENTIALS
                    ? "Your password is wrong." : capitalize(e.getMessage()));
            response.setStatus(e.status().value());
            return render(me, model);
        } catch (ApiException e) {
            // A feature refused for now (a cash-out in progress, docs/privacy.md#erasure).
            model.addAttribute("deleteError", capitalize(e.getMessage()));
            response.setStatus(e.status().value());
            return render(me, model);
        }
        response.addHeader(HttpHeaders.SET_COOKIE, WebSessionCookie.clear(request.isSecure()).toString());
        return "redirect:/login?deleted";
    }

    /**
     * Downloads the account's data as a ZIP (docs/privacy.md#export), streamed; once per hour, otherwise
     * the settings page says when the next export is possible.
     */
    @GetMapping("/settings/export")
    @Nullable String export(@AuthenticationPrincipal AuthenticatedUser me, HttpServletResponse response, Model model)
            throws java.io.IOException {
        try {
            privacy.beginExport(me.userId());
        } catch (AccountsException e) {
            model.addAttribute("exportError", capitalize(e.getMessage()));
            response.setStatus(e.status().value());
            return render(me, model);
        }
        response.setContentType("application/zip");
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"iploop-data-" + me.customerId()
                + ".zip\"");
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        privacy.writeExport(me.userId(), response.getOutputStream());
        response.flushBuffer();
        return null;
    }

    private String render(AuthenticatedUser me, Model model) {
        Account account = accounts.find(me.userId())
                .orElseThrow(() -> new AccountsException(AccountsException.Reason.NOT_FOUND, "no such account", null));
        model.addAttribute("account", account);
        if (!model.containsAttribute("profileForm")) {
            model.addAttribute("profileForm", Map.of("firstName", account.firstName(), "lastName", account.lastName(),
                    "company", account.company() == null ? "" : account.company(),
                    "phone", account.phone() == null ? "" : account.phone()));
        }
        model.addAttribute("prefs", profiles.notificationPreferences(me.userId()));
        model.addAttribute("useCase", profiles.useCase(me.userId()));
        model.addAttribute("useCases", io.iploop.server.accounts.UseCases.ALL);
        UsageAlertSettings alerts = plans.alertSettings(me.userId());
        model.addAttribute("alerts", alerts);
        if (!model.containsAttribute("alertsCustomText")) {
            model.addAttribute("alertsCustomText", alerts.customPercent() == null ? "" : alerts.customPercent().toString());
        }
        model.addAttribute("sessions", signIn.sessions(me.userId()));
        model.addAttribute("currentSession", me.sessionId());
        model.addAttribute("sessionHasTwoFactor", me.twoFactor());
        if (!model.containsAttribute("ipAuthText")) {
            model.addAttribute("ipAuthText", String.join("\n", keys.ipAuthorisations(me.userId()).stream()
                    .map(a -> a.targeting().isEmpty() ? a.ip() : a.ip() + " " + a.targeting()).toList()));
        }
        if (!model.containsAttribute("whitelistText")) {
            model.addAttribute("whitelistText", String.join("\n", keys.accountWhitelist(me.userId())));
        }
        for (String errors : List.of("profileErrors", "passwordErrors")) {
            if (!model.containsAttribute(errors)) {
                model.addAttribute(errors, Map.of());
            }
        }
        return "settings";
    }

    private static void name(Map<String, String> e, String field, String v, String label) {
        if (v.isEmpty()) {
            e.put(field, label + " is required");
        } else if (v.length() > 100) {
            e.put(field, label + " must be at most 100 characters");
        }
    }

    private static @Nullable String blankToNull(String s) {
        return s.isBlank() ? null : s.strip();
    }

    private static String capitalize(@Nullable String s) {
        return s == null || s.isEmpty() ? "Something went wrong" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
