package io.iploop.server.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The sign-up field rules of seed 001 §5.13, each naming its field. */
class SignupFormTest {

    @Test
    void aCompleteFormIsValid() {
        assertThat(new SignupForm("Ada", "Lovelace", "ada@example.com", null, "analytical", "analytical").errors()).isEmpty();
    }

    @Test
    void everyRuleNamesItsField() {
        assertThat(new SignupForm(" A ", "", "ada@", "x".repeat(256), "short", "other").errors())
                .containsEntry("firstName", "First name must be at least 2 characters")
                .containsEntry("lastName", "Last name is required")
                .containsEntry("email", "Enter a valid e-mail address")
                .containsEntry("company", "Company must be at most 255 characters")
                .containsEntry("password", "Password must be at least 8 characters")
                .containsEntry("confirmPassword", "Passwords do not match")
                .containsOnlyKeys("firstName", "lastName", "email", "company", "password", "confirmPassword");
    }

    @Test
    void anEmptyFormAsksForEveryRequiredField() {
        assertThat(SignupForm.empty().errors()).containsOnlyKeys("firstName", "lastName", "email", "password");
    }
}
