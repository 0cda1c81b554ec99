package io.iploop.server.web.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The sign-up form of the login page with the field rules of docs/product/dashboard.md#public-pages: first and last name
 * required, at least 2 characters; e-mail required and valid; company optional; password at least
 * 8 characters (at most 128, as the API); confirmation must match. {@code intent} is what the person
 * wants to do (docs/product/dashboard.md#first-hour: {@code use} proxies, {@code earn} by sharing bandwidth, or {@code both};
 * absent means {@code use}); {@code ref} is a referral code from a {@code /register?ref=CODE} link
 * (docs/product/earn.md#referrals). Fields arrive as typed (null when absent); {@link #errors()} names each field at
 * fault. Immutable.
 */
record SignupForm(@Nullable String firstName, @Nullable String lastName, @Nullable String email,
        @Nullable String company, @Nullable String password, @Nullable String confirmPassword,
        @Nullable String intent, @Nullable String ref) {

    /** Deliberately simple: one {@code @}, a dot in the domain, no spaces (the server-side check the API's {@code @Email} complements). */
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    /** An empty form, for the first rendering. */
    static SignupForm empty() {
        return new SignupForm(null, null, null, null, null, null, null, null);
    }

    /** An empty form carrying a referral code. */
    static SignupForm withRef(@Nullable String ref) {
        return new SignupForm(null, null, null, null, null, null, null, ref);
    }

    /** The chosen intent: {@code use}, {@code earn} or {@code both} ({@code use} when absent). */
    public String intentOrDefault() {
        String i = strip(intent);
        return i.isEmpty() ? "use" : i;
    }

    /** True when the account should see the earn dashboard from the start (intent {@code earn} or {@code both}). */
    public boolean wantsToEarn() {
        return intentOrDefault().equals("earn") || intentOrDefault().equals("both");
    }

    /** Field name to message, in form order; empty when the form is valid. */
    Map<String, String> errors() {
        Map<String, String> e = new LinkedHashMap<>();
        name(e, "firstName", firstName, "First name");
        name(e, "lastName", lastName, "Last name");
        String mail = strip(email);
        if (mail.isEmpty()) {
            e.put("email", "E-mail is required");
        } else if (mail.length() > 255 || !EMAIL.matcher(mail).matches()) {
            e.put("email", "Enter a valid e-mail address");
        }
        if (strip(company).length() > 255) {
            e.put("company", "Company must be at most 255 characters");
        }
        String pw = password == null ? "" : password;
        if (pw.length() < 8) {
            e.put("password", "Password must be at least 8 characters");
        } else if (pw.length() > 128) {
            e.put("password", "Password must be at most 128 characters");
        }
        if (!pw.equals(confirmPassword == null ? "" : confirmPassword)) {
            e.put("confirmPassword", "Passwords do not match");
        }
        if (!java.util.Set.of("use", "earn", "both").contains(intentOrDefault())) {
            e.put("intent", "Choose what you want to do: use proxies, earn, or both");
        }
        if (strip(ref).length() > 64) {
            e.put("ref", "The referral code must be at most 64 characters");
        }
        return e;
    }

    private static void name(Map<String, String> e, String field, @Nullable String value, String label) {
        String v = strip(value);
        if (v.isEmpty()) {
            e.put(field, label + " is required");
        } else if (v.length() < 2) {
            e.put(field, label + " must be at least 2 characters");
        } else if (v.length() > 100) {
            e.put(field, label + " must be at most 100 characters");
        }
    }

    static String strip(@Nullable String s) {
        return s == null ? "" : s.strip();
    }
}
