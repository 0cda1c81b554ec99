package io.iploop.server.web.internal;

import io.iploop.server.accounts.NewAccount;
import io.iploop.server.platform.RecordViolations;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The sign-up form of the login page. The account rules (docs/product/dashboard.md#public-pages: names of 2-100
 * characters, a valid e-mail, a password of 8-128 characters, an optional company) are
 * {@link NewAccount}'s constraints, the same the API applies; the confirmation must match. {@code intent} is what the person
 * wants to do (docs/product/dashboard.md#first-hour: {@code use} proxies, {@code earn} by sharing bandwidth, or {@code both};
 * absent means {@code use}); {@code ref} is a referral code from a {@code /register?ref=CODE} link
 * (docs/product/earn.md#referrals); {@code acceptTerms} is the consent box (docs/privacy.md#consent). Fields arrive as typed (null when absent); {@link #errors()} names each field at
 * fault. Immutable.
 */
record SignupForm(@Nullable String firstName, @Nullable String lastName, @Nullable String email,
        @Nullable String company, @Nullable String password, @Nullable String confirmPassword,
        @Nullable String intent, @Nullable String ref, @Nullable String acceptTerms) {

    /** Hibernate Validator's default factory: thread-safe, built once. */
    private static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();

    /** An empty form, for the first rendering. */
    static SignupForm empty() {
        return new SignupForm(null, null, null, null, null, null, null, null, null);
    }

    /** An empty form carrying a referral code. */
    static SignupForm withRef(@Nullable String ref) {
        return new SignupForm(null, null, null, null, null, null, null, ref, null);
    }

    /** The chosen intent: {@code use}, {@code earn} or {@code both} ({@code use} when absent). */
    public String intentOrDefault() {
        String i = strip(intent);
        return i.isEmpty() ? "use" : i;
    }

    /** True when the terms and privacy policy box was ticked (docs/privacy.md#consent). */
    public boolean termsAccepted() {
        return Set.of("true", "on").contains(strip(acceptTerms));
    }

    /** True when the account should see the earn dashboard from the start (intent {@code earn} or {@code both}). */
    public boolean wantsToEarn() {
        return intentOrDefault().equals("earn") || intentOrDefault().equals("both");
    }

    /**
     * Field name to message, in form order; empty when the form is valid. The account rules are
     * {@link NewAccount}'s constraints (the ones the API applies), worded for the form here; the
     * password confirmation, the intent and the referral code are the form's own.
     */
    Map<String, String> errors() {
        Map<String, String> e = new LinkedHashMap<>();
        NewAccount account = NewAccount.customer(strip(email), password == null ? "" : password, strip(firstName),
                strip(lastName), strip(company));
        Map<String, String> values = Map.of("email", account.email(), "password", account.password(),
                "firstName", account.firstName(), "lastName", account.lastName(), "company", strip(company));
        RecordViolations.byField(NewAccount.class, VALIDATOR.validate(account))
                .forEach((field, v) -> e.put(field, message(field, v, values.getOrDefault(field, ""))));
        String pw = password == null ? "" : password;
        if (!pw.equals(confirmPassword == null ? "" : confirmPassword)) {
            e.put("confirmPassword", "Passwords do not match");
        }
        if (!Set.of("use", "earn", "both").contains(intentOrDefault())) {
            e.put("intent", "Choose what you want to do: use proxies, earn, or both");
        }
        if (!termsAccepted()) {
            e.put("acceptTerms", "Accept the terms of service and the privacy policy to create an account");
        }
        if (strip(ref).length() > 64) {
            e.put("ref", "The referral code must be at most 64 characters");
        }
        return e;
    }

    /** A violation of a {@link NewAccount} rule, in the form's words. */
    private static String message(String field, RecordViolations.Violation v, String value) {
        String label = LABELS.getOrDefault(field, field);
        if (v.type() == NotBlank.class) {
            return label + " is required";
        }
        if (v.constraint() instanceof Size size) {
            return value.length() < size.min() ? label + " must be at least " + size.min() + " characters"
                    : label + " must be at most " + size.max() + " characters";
        }
        return field.equals("email") ? "Enter a valid e-mail address" : label + " " + v.message();
    }

    /** Form labels of the {@link NewAccount} fields, for messages. */
    private static final Map<String, String> LABELS = Map.of("email", "E-mail", "password", "Password",
            "firstName", "First name", "lastName", "Last name", "company", "Company");

    static String strip(@Nullable String s) {
        return s == null ? "" : s.strip();
    }
}
