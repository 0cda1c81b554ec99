package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.LoginResult;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Subscription;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/auth} (seed 001 §7.1): registration, login, profile, password change. */
@RestController
@RequestMapping("/api/auth")
@Tag(name = "auth", description = "Accounts and tokens")
class AccountsController {

    private final AccountsService accounts;
    private final PlansService plans;

    AccountsController(AccountsService accounts, PlansService plans) {
        this.accounts = accounts;
        this.plans = plans;
    }

    @PostMapping("/register")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a customer account; returns a JWT (24 h)")
    TokenResponse register(@Valid @RequestBody RegisterRequest r) {
        return TokenResponse.of(accounts.register(
                NewAccount.customer(r.email(), r.password(), r.firstName(), r.lastName(), r.company())));
    }

    @PostMapping("/login")
    @Operation(summary = "Exchange e-mail and password for a JWT (24 h)")
    TokenResponse login(@Valid @RequestBody LoginRequest r) {
        return TokenResponse.of(accounts.login(r.email(), r.password()));
    }

    @GetMapping("/profile")
    @Operation(summary = "The caller's profile with plan information")
    ProfileResponse profile(@AuthenticationPrincipal AuthenticatedUser caller) {
        Account account = accounts.find(caller.userId())
                .orElseThrow(() -> new AccountsException(AccountsException.Reason.NOT_FOUND, "no such account", null));
        return new ProfileResponse(UserView.of(account), plans.current(caller.userId()).orElse(null));
    }

    @PutMapping("/password")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Change the caller's password")
    void changePassword(@AuthenticationPrincipal AuthenticatedUser caller, @Valid @RequestBody PasswordRequest r) {
        accounts.changePassword(caller.userId(), r.currentPassword(), r.newPassword());
    }

    // Request bodies: components are non-null once @Valid has passed (Jackson may bind null before).

    /** Registration form (seed 001 §4.1). */
    record RegisterRequest(
            @NotBlank @Email @Size(max = 255) String email,
            @NotBlank @Size(min = 8, max = 128) String password,
            @NotBlank @Size(max = 100) String firstName,
            @NotBlank @Size(max = 100) String lastName,
            @Size(max = 255) @Nullable String company) {}

    record LoginRequest(@NotBlank @Size(max = 255) String email, @NotBlank @Size(max = 128) String password) {}

    record PasswordRequest(@NotBlank String currentPassword,
            @NotBlank @Size(min = 8, max = 128) String newPassword) {}

    /** The account as the dashboard stores it (seed 001 §4.2). */
    record UserView(UUID id, String customerId, String email, String firstName, String lastName,
            @Nullable String company, String role, String status, boolean emailVerified,
            boolean mustChangePassword, Instant createdAt, @Nullable Instant lastLoginAt) {

        static UserView of(Account a) {
            return new UserView(a.id(), a.customerId(), a.email(), a.firstName(), a.lastName(), a.company(),
                    a.role().dbValue(), a.status().dbValue(), a.emailVerified(), a.mustChangePassword(),
                    a.createdAt(), a.lastLoginAt());
        }
    }

    record TokenResponse(String token, Instant expiresAt, UserView user) {

        static TokenResponse of(LoginResult r) {
            return new TokenResponse(r.token(), r.expiresAt(), UserView.of(r.account()));
        }
    }

    record ProfileResponse(UserView user, @Nullable Subscription plan) {}

}
