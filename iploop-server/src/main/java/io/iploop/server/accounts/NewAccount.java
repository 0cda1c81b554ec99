package io.iploop.server.accounts;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/**
 * What is needed to create an account; {@code password} is the clear-text password (hashed with
 * bcrypt before storage, never kept). E-mail, names and company are kept stripped. Immutable.
 *
 * <p>The Bean Validation constraints are the account rules, in one place: every account the
 * accounts feature creates (sign-up, first start, an admin's invitation) is validated with them,
 * the REST API reports a violation as 400 {@code validation_failed} naming the field, and the
 * dashboard's sign-up form shows the same violations next to its fields. Components are null
 * only before validation (a JSON body without the field).
 *
 * @param email an address with one {@code @} and a dot in its domain, at most 255 characters
 * @param password 8-128 characters
 * @param firstName 2-100 characters
 * @param lastName 2-100 characters
 */
public record NewAccount(
        @NotBlank @Email(regexp = EMAIL_PATTERN) @Size(max = 255) String email,
        @NotBlank @Size(min = 8, max = 128) String password,
        @NotBlank @Size(min = 2, max = 100) String firstName,
        @NotBlank @Size(min = 2, max = 100) String lastName,
        @Size(max = 255) @Nullable String company,
        @NotNull UserRole role,
        boolean mustChangePassword) {

    /** Deliberately simple on top of {@code @Email}: one {@code @}, a dot in the domain, no spaces. */
    public static final String EMAIL_PATTERN = "[^@\\s]+@[^@\\s]+\\.[^@\\s]+";

    public NewAccount {
        email = strip(email);
        firstName = strip(firstName);
        lastName = strip(lastName);
        company = strip(company);
    }

    /** A self-registered customer (seed 001 §4.1). */
    public static NewAccount customer(String email, String password, String firstName, String lastName,
            @Nullable String company) {
        return new NewAccount(email, password, firstName, lastName, company, UserRole.CUSTOMER, false);
    }

    private static @Nullable String strip(@Nullable String s) {
        return s == null ? null : s.strip();
    }
}
