package io.iploop.server.plans.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.ProfileService;
import io.iploop.server.accounts.ProfileUpdate;
import io.iploop.server.accounts.UserView;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Subscription;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The caller's profile with their plan ({@code GET/PUT /api/auth/profile},
 * docs/product/accounts.md#profile-and-settings). Served by the plans feature because the answer
 * combines the account and its subscription and accounts must not depend on plans (plans listens to
 * the account's creation, docs/architecture.md); the profile change itself is the accounts
 * feature's {@link ProfileService}.
 */
@RestController
@RequestMapping("/api/auth")
@Tag(name = "auth", description = "Accounts and tokens")
class ProfileController {

    private final AccountsService accounts;
    private final ProfileService profiles;
    private final PlansService plans;

    ProfileController(AccountsService accounts, ProfileService profiles, PlansService plans) {
        this.accounts = accounts;
        this.profiles = profiles;
        this.plans = plans;
    }

    @GetMapping("/profile")
    @Operation(summary = "The caller's profile with plan information")
    ProfileResponse profile(@AuthenticationPrincipal AuthenticatedUser caller) {
        Account account = accounts.find(caller.userId())
                .orElseThrow(() -> new AccountsException(AccountsException.Reason.NOT_FOUND, "no such account", null));
        return profileOf(account);
    }

    @PutMapping("/profile")
    @Operation(summary = "Change the caller's name, company and phone (the e-mail is read-only)")
    ProfileResponse updateProfile(@AuthenticationPrincipal AuthenticatedUser caller,
            @Valid @RequestBody ProfileRequest r) {
        return profileOf(profiles.updateProfile(caller.userId(),
                new ProfileUpdate(r.firstName(), r.lastName(), r.company(), r.phone())));
    }

    private ProfileResponse profileOf(Account account) {
        return new ProfileResponse(UserView.of(account), plans.current(account.id()).orElse(null),
                profiles.useCase(account.id()));
    }

    /** docs/product/accounts.md#profile-and-settings; the e-mail cannot be changed here. */
    record ProfileRequest(
            @NotBlank @Size(max = 100) String firstName,
            @NotBlank @Size(max = 100) String lastName,
            @Size(max = 255) @Nullable String company,
            @Size(max = 20) @Pattern(regexp = "[+0-9 ()./-]*", message = "digits, spaces and + ( ) . / - only")
            @Nullable String phone) {}

    /** {@code useCase}: the declared use case, null when undeclared (docs/operator-transparency.md#customer-categories). */
    record ProfileResponse(UserView user, @Nullable Subscription plan, @Nullable String useCase) {}
}
