package io.iploop.server.admin.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountAdminService;
import io.iploop.server.accounts.AccountSearch;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.admin.LocalAdminAccess;
import io.iploop.server.plans.Plan;
import io.iploop.server.plans.PlanDetails;
import io.iploop.server.plans.PlansException;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Subscription;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What {@code iploop admin} does on the running server (README "Running it for yourself"): show an
 * account, change its plan, add to or set its GB balance. Reached only through
 * {@link LocalAdminSecurity} (loopback and the local token). Changes go through the same services as
 * {@code PATCH /api/admin/users/{id}} and are audited the same way, acting as the oldest admin
 * account; the audit entry's IP is the loopback address and its user agent the command's. Errors
 * use the JSON error envelope and name the unknown e-mail or list the valid plans.
 */
@Hidden
@RestController
@RequestMapping(LocalAdminAccess.PATH)
class LocalAdminController {

    private final AccountsService accounts;
    private final AccountAdminService accountAdmin;
    private final PlansService plans;
    private final TransactionTemplate tx;

    LocalAdminController(AccountsService accounts, AccountAdminService accountAdmin, PlansService plans, TransactionTemplate tx) {
        this.accounts = accounts;
        this.accountAdmin = accountAdmin;
        this.plans = plans;
        this.tx = tx;
    }

    @GetMapping("/user")
    AccountView user(@RequestParam String email) {
        return view(byEmail(email));
    }

    @PostMapping("/plan")
    AccountView changePlan(@Valid @RequestBody PlanChange r) {
        Account account = byEmail(r.email());
        String planId = r.planId().strip().toLowerCase(Locale.ROOT);
        if (plans.find(planId).isEmpty()) {
            throw new PlansException(PlansException.Reason.UNKNOWN_PLAN, "plan: no plan " + r.planId()
                    + " (expected one of: " + planIds() + ")", "planId");
        }
        UUID actor = actor();
        tx.executeWithoutResult(t -> {
            plans.changePlan(actor, account.id(), planId);
            if (r.gb() != null) {
                plans.setBalance(actor, account.id(), r.gb(), reason(r.reason(), "set with the plan change"));
            }
        });
        return view(account);
    }

    @PostMapping("/balance")
    AccountView balance(@Valid @RequestBody BalanceChange r) {
        if ((r.addGb() == null) == (r.setGb() == null)) {
            throw new PlansException(PlansException.Reason.INVALID_PLAN, "give exactly one of addGb and setGb",
                    "addGb");
        }
        Account account = byEmail(r.email());
        UUID actor = actor();
        String reason = reason(r.reason(), "");
        if (r.addGb() != null) {
            plans.addBalance(actor, account.id(), r.addGb(), reason);
        } else {
            plans.setBalance(actor, account.id(), Objects.requireNonNull(r.setGb()), reason);
        }
        return view(account);
    }

    private Account byEmail(String email) {
        String wanted = email.strip();
        return accountAdmin.search(new AccountSearch(wanted, null, null, null, AccountSearch.Sort.EMAIL, false, 1,
                        AccountAdminService.MAX_PAGE_SIZE)).items().stream()
                .filter(a -> a.email().equalsIgnoreCase(wanted)).findFirst()
                .orElseThrow(() -> new AccountsException(AccountsException.Reason.NOT_FOUND,
                        "no account with e-mail " + wanted, "email"));
    }

    /** The admin the change is audited as: there is always one (the first start creates it). */
    private UUID actor() {
        return accounts.firstAdmin().map(Account::id).orElseThrow(() -> new IllegalStateException(
                "no admin account to audit the change as"));
    }

    private String planIds() {
        return plans.allPlans().stream().map(PlanDetails::plan).map(Plan::id).collect(Collectors.joining(", "));
    }

    private static String reason(@Nullable String given, String otherwise) {
        String r = given == null || given.isBlank() ? otherwise : given.strip();
        return "local-cli: " + r;
    }

    private AccountView view(Account a) {
        Account fresh = accounts.find(a.id()).orElse(a);
        @Nullable Subscription s = plans.current(fresh.id()).orElse(null);
        boolean unlimited = s != null && plans.find(s.planId()).map(p -> p.includedGb() == null).orElse(false);
        return new AccountView(fresh.id(), fresh.customerId(), fresh.email(), fresh.role().dbValue(),
                fresh.status().dbValue(), s == null ? null : s.planId(), s == null ? null : s.planName(),
                s == null ? null : s.gbBalance(), s == null ? null : s.gbUsed(), unlimited);
    }

    /**
     * A plan change; {@code gb} optionally sets the new balance instead of the plan's included GB.
     */
    record PlanChange(@NotBlank @Size(max = 255) String email, @NotBlank @Size(max = 40) String planId,
            @DecimalMin("0") @Digits(integer = 12, fraction = 9) @Nullable BigDecimal gb,
            @Size(max = 500) @Nullable String reason) {}

    /** A balance change: exactly one of {@code addGb} (may be negative) and {@code setGb}; a reason. */
    record BalanceChange(@NotBlank @Size(max = 255) String email,
            @Digits(integer = 12, fraction = 9) @Nullable BigDecimal addGb,
            @DecimalMin("0") @Digits(integer = 12, fraction = 9) @Nullable BigDecimal setGb,
            @NotBlank @Size(max = 500) String reason) {}

    /**
     * An account as {@code iploop admin user} shows it.
     *
     * @param gbBalance remaining GB of the active plan, null without one
     * @param unlimitedBytes true when the plan has no byte limit (the balance is not enforced)
     */
    record AccountView(UUID id, String customerId, String email, String role, String status,
            @Nullable String planId, @Nullable String planName, @Nullable BigDecimal gbBalance,
            @Nullable BigDecimal gbUsed, boolean unlimitedBytes) {}
}
