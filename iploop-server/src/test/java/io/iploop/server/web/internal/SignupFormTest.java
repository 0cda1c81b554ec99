package io.iploop.server.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The sign-up field rules of docs/product/dashboard.md#public-pages, each naming its field. */
class SignupFormTest {

    @Test
    void aCompleteFormIsValid() {
        assertThat(new SignupForm("Ada", "Lovelace", "ada@example.com", null, "analytical", "analytical", null, null, "true").errors()).isEmpty();
    }

    @Test
    void everyRuleNamesItsField() {
        assertThat(new SignupForm(" A ", "", "ada@", "x".repeat(256), "short", "other", "sell", "r".repeat(65), null).errors())
                .containsEntry("firstName", "First name must be at least 2 characters")
                .containsEntry("lastName", "Last name is required")
                .containsEntry("email", "Enter a valid e-mail address")
                .containsEntry("company", "Company must be at most 255 characters")
                .containsEntry("password", "Password must be at least 8 characters")
                .containsEntry("confirmPassword", "Passwords do not match")
                .containsEntry("intent", "Choose what you want to do: use proxies, earn, or both")
                .containsEntry("ref", "The referral code must be at most 64 characters")
                .containsEntry("acceptTerms", "Accept the terms of service and the privacy policy to create an account")
                .containsOnlyKeys("firstName", "lastName", "email", "company", "password", "confirmPassword", "intent", "ref",
                        "acceptTerms");
    }

    @Test
    void earnAndBothMakeAnOperatorUseDoesNot() {
        assertThat(form("earn").wantsToEarn()).isTrue();
        assertThat(form("both").wantsToEarn()).isTrue();
        assertThat(form("use").wantsToEarn()).isFalse();
        assertThat(form(null).wantsToEarn()).as("no choice means use proxies").isFalse();
        assertThat(form(null).intentOrDefault()).isEqualTo("use");
    }

    private static SignupForm form(String intent) {
        return new SignupForm("Ada", "Lovelace", "ada@example.com", null, "analytical", "analytical", intent, null, "on");
    }

    @Test
    void anEmptyFormAsksForEveryRequiredField() {
        assertThat(SignupForm.empty().errors()).containsOnlyKeys("firstName", "lastName", "email", "password", "acceptTerms");
    }
}
