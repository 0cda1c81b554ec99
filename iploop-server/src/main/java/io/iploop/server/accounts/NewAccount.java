package io.iploop.server.accounts;

import io.iploop.server.platform.EmailAddress;
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
 * @param email an address as {@link EmailAddress} accepts it (length-bounded first, then one linear
 *     scan: no backtracking pattern), at most {@value EmailAddress#MAX_LENGTH} characters
 * @param password 8-128 characters
 * @param firstName 2-100 characters
 * @param lastName 2-100 characters
 */
public record NewAccount(
        @NotBlank @EmailAddress.Valid String email,
        @NotBlank @Size(min = 8, max = 128) String password,
        @NotBlank @Size(min = 2, max = 100) String firstName,
        @NotBlank @Size(min = 2, max = 100) String lastName,
        @Size(max = 255) @Nullable String company,
        @NotNull UserRole role,
        boolean mustChangePassword) {


    public NewAccount {
        email = strip(email);
        firstName = strip(firstName);
        lastName = strip(lastName);
        company = strip(company);
    }

    /** A self-registered customer (docs/product/accounts.md#registration). */
    public static NewAccount customer(String email, String password, String firstName, String lastName,
            @Nullable String company) {
        return new NewAccount(email, password, firstName, lastName, company, UserRole.CUSTOMER, false);
    }

    private static @Nullable String strip(@Nullable String s) {
        return s == null ? null : s.strip();
    }
}
