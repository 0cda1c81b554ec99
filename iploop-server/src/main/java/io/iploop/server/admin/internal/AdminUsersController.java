package io.iploop.server.admin.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountAdminService;
import io.iploop.server.accounts.AccountPage;
import io.iploop.server.accounts.AccountSearch;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.UserRole;
import io.iploop.server.accounts.UserStatus;
import io.iploop.server.accounts.UserView;
import io.iploop.server.keys.ApiKey;
import io.iploop.server.keys.ApiKeysService;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Subscription;
import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.usage.UsagePeriod;
import io.iploop.server.usage.UsageService;
import io.iploop.server.usage.UsageSummary;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Admin user management ({@code /api/admin/users}, docs/product/admin.md#admin-api, #users): list with
 * search, filters, sort and pagination; details; create by invitation; change status, role, plan and
 * balance; soft delete; make and remove admin. {@code /api/admin/**} is admin-only (SecurityConfig);
 * every change is audited by the owning service with the acting admin (the creation by
 * {@link AdminUserCreation}). In the admin feature because it combines accounts, plans, keys and
 * usage, and accounts must not depend on plans (docs/architecture.md).
 */
@RestController
@RequestMapping("/api/admin/users")
@Tag(name = "admin", description = "Platform administration (admin role)")
class AdminUsersController {

    private final AccountsService accounts;
    private final AccountAdminService accountAdmin;
    private final PlansService plans;
    private final ApiKeysService keys;
    private final UsageService usage;
    private final AdminUserCreation creation;
    private final TransactionTemplate tx;

    AdminUsersController(AccountsService accounts, AccountAdminService accountAdmin, AdminUserCreation creation,
            PlansService plans, ApiKeysService keys, UsageService usage, TransactionTemplate tx) {
        this.accounts = accounts;
        this.accountAdmin = accountAdmin;
        this.creation = creation;
        this.plans = plans;
        this.keys = keys;
        this.usage = usage;
        this.tx = tx;
    }

    @GetMapping
    @Operation(summary = "Accounts, one page, with total: search q (e-mail, name, company, customer id), "
            + "filters status/role/plan, sort createdAt|email|name|lastLoginAt|status, order asc|desc")
    UsersPage list(
            @RequestParam(defaultValue = "1") int page,
            @RequestParam(defaultValue = "50") int limit,
            @Parameter(description = "substring of e-mail, name or company, or an exact customer id or user id")
            @RequestParam(required = false) @Nullable String q,
            @Parameter(description = "alias of q (docs/product/admin.md#admin-api)") @RequestParam(required = false) @Nullable String search,
            @RequestParam(required = false) @Nullable String status,
            @RequestParam(required = false) @Nullable String role,
            @Parameter(description = "plan id of the active subscription") @RequestParam(required = false)
            @Nullable String plan,
            @RequestParam(defaultValue = "createdAt") String sort,
            @RequestParam(defaultValue = "desc") String order) {
        boolean descending = switch (order.toLowerCase(Locale.ROOT)) {
            case "desc" -> true;
            case "asc" -> false;
            default -> throw invalid("order", "order: " + order + " (expected: asc or desc)");
        };
        AccountSearch.Sort by = Arrays.stream(AccountSearch.Sort.values()).filter(s -> s.apiName().equals(sort))
                .findFirst().orElseThrow(() -> invalid("sort", "sort: " + sort
                        + " (expected: createdAt, email, name, lastLoginAt or status)"));
        @Nullable List<UUID> ids = plan == null || plan.isBlank() ? null : plans.activeSubscribers(plan.strip());
        AccountPage result = accountAdmin.search(new AccountSearch(q != null ? q : search,
                status == null || status.isBlank() ? null : status(status, "status", true),
                role == null || role.isBlank() ? null : role(role), ids, by, descending, page, limit));
        Map<UUID, Subscription> subscriptions = plans.current(result.items().stream().map(Account::id).toList());
        return new UsersPage(result.items().stream()
                .map(a -> new UserRow(UserView.of(a), PlanSummary.of(subscriptions.get(a.id())))).toList(),
                result.page(), result.limit(), result.total());
    }

    @GetMapping("/{userId}")
    @Operation(summary = "One account: profile, plan and balance, API key counts, usage of the last 30 days")
    UserDetails get(@PathVariable UUID userId) {
        return details(find(userId));
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create an account; the user is mailed an invitation link (72 h) to set a password")
    UserDetails create(@AuthenticationPrincipal AuthenticatedUser admin, @Valid @RequestBody CreateUserRequest r) {
        Account created = creation.create(admin.userId(), r.email(), r.firstName(), r.lastName(), r.company(),
                r.role() == null ? UserRole.CUSTOMER : role(r.role()), blankToNull(r.planId()));
        return details(created);
    }

    @PatchMapping("/{userId}")
    @Operation(summary = "Change status (active, suspended, banned), role, plan or GB balance, in one transaction; "
            + "a balance change needs a reason")
    UserDetails update(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable UUID userId,
            @Valid @RequestBody UpdateUserRequest r) {
        if (r.gbBalance() != null && (r.reason() == null || r.reason().isBlank())) {
            throw invalid("reason", "reason: required when gbBalance is given (it goes into the audit log)");
        }
        find(userId);
        tx.executeWithoutResult(t -> {
            if (r.status() != null) {
                accountAdmin.changeStatus(admin.userId(), userId, status(r.status(), "status", false), r.reason());
            }
            if (r.role() != null) {
                accountAdmin.changeRole(admin.userId(), userId, role(r.role()));
            }
            if (r.planId() != null) {
                plans.changePlan(admin.userId(), userId, r.planId());
            }
            if (r.gbBalance() != null) {
                plans.setBalance(admin.userId(), userId, r.gbBalance(), r.reason() == null ? "" : r.reason().strip());
            }
        });
        return details(find(userId));
    }

    @DeleteMapping("/{userId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Soft-delete an account: it can no longer log in or use the proxy; 409 "
            + "cannot_delete_self for one's own account")
    void delete(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable UUID userId) {
        accountAdmin.deleteByAdmin(admin.userId(), userId);
    }

    @PostMapping("/{userId}/verify-email")
    @Operation(summary = "Mark the account's e-mail as verified (someone who cannot receive the mail, e.g. without SMTP); "
            + "audited; a verified address stays verified")
    UserDetails verifyEmail(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable UUID userId) {
        accountAdmin.verifyEmail(admin.userId(), userId);
        return details(find(userId));
    }

    @PostMapping("/{userId}/admin")
    @Operation(summary = "Make the account an admin")
    UserDetails makeAdmin(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable UUID userId) {
        return details(accountAdmin.changeRole(admin.userId(), userId, UserRole.ADMIN));
    }

    @DeleteMapping("/{userId}/admin")
    @Operation(summary = "Make an admin a customer again; their admin tokens stop working at once; 409 "
            + "cannot_remove_own_admin for oneself")
    UserDetails removeAdmin(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable UUID userId) {
        Account target = find(userId);
        if (target.role() != UserRole.ADMIN) {
            return details(target);
        }
        return details(accountAdmin.changeRole(admin.userId(), userId, UserRole.CUSTOMER));
    }

    private Account find(UUID userId) {
        return accounts.find(userId).orElseThrow(
                () -> new AccountsException(AccountsException.Reason.NOT_FOUND, "no such account", null));
    }

    private UserDetails details(Account a) {
        List<ApiKey> apiKeys = keys.list(a.id());
        long activeKeys = apiKeys.stream().filter(ApiKey::isActive).count();
        return new UserDetails(UserView.of(a), plans.current(a.id()).orElse(null),
                new KeyCounts(apiKeys.size(), activeKeys), usage.summary(a.id(), UsagePeriod.LAST_30_DAYS));
    }

    private static UserStatus status(String value, String field, boolean allowDeleted) {
        try {
            UserStatus s = UserStatus.fromDb(value.strip());
            if (s == UserStatus.DELETED && !allowDeleted) {
                throw invalid(field, field + ": use DELETE /api/admin/users/{id} to delete an account");
            }
            return s;
        } catch (IllegalArgumentException e) {
            throw invalid(field, field + ": " + value + " (expected: active, suspended, banned"
                    + (allowDeleted ? " or deleted)" : ")"));
        }
    }

    private static UserRole role(String value) {
        try {
            return UserRole.fromDb(value.strip());
        } catch (IllegalArgumentException e) {
            throw invalid("role", "role: " + value + " (expected: customer, operator or admin)");
        }
    }

    private static AccountsException invalid(String field, String message) {
        return new AccountsException(AccountsException.Reason.INVALID_QUERY, message, field);
    }

    private static @Nullable String blankToNull(@Nullable String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    // Request bodies: components are non-null once @Valid has passed (Jackson may bind null before).

    /** A new account; no password: the user sets it through the mailed invitation. */
    record CreateUserRequest(
            // E-mail, names and company follow NewAccount's constraints, checked when the account is created.
            @Nullable String email,
            @Nullable String firstName,
            @Nullable String lastName,
            @Nullable String company,
            @Pattern(regexp = "customer|operator|admin", message = "customer, operator or admin") @Nullable String role,
            @Size(max = 40) @Nullable String planId) {}

    /** Only the fields given change. {@code reason} goes to the audit log; required with {@code gbBalance}. */
    record UpdateUserRequest(
            @Pattern(regexp = "active|suspended|banned", message = "active, suspended or banned") @Nullable String status,
            @Pattern(regexp = "customer|operator|admin", message = "customer, operator or admin") @Nullable String role,
            @Size(min = 1, max = 40) @Nullable String planId,
            @DecimalMin("0") @Digits(integer = 12, fraction = 9) @Nullable BigDecimal gbBalance,
            @Size(max = 500) @Nullable String reason) {}

    /** The active plan in a list row (docs/product/admin.md#admin-dashboard: plan, GB balance, GB used). */
    record PlanSummary(String planId, String planName, BigDecimal gbBalance, BigDecimal gbUsed) {

        static @Nullable PlanSummary of(@Nullable Subscription s) {
            return s == null ? null : new PlanSummary(s.planId(), s.planName(), s.gbBalance(), s.gbUsed());
        }
    }

    record UserRow(UserView user, @Nullable PlanSummary plan) {}

    record UsersPage(List<UserRow> items, int page, int limit, long total) {}

    /** API keys of the account: all listed (including rotated ones in their grace period) and active. */
    record KeyCounts(long total, long active) {}

    record UserDetails(UserView user, @Nullable Subscription plan, KeyCounts keys, UsageSummary usageLast30Days) {}
}
