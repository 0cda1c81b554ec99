package io.iploop.server.admin.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountAdminService;
import io.iploop.server.accounts.UserRole;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.plans.PlansException;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Subscription;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * An admin creates a user on a chosen plan (docs/product/admin.md#users), in one transaction: the
 * accounts feature creates the account and mails the invitation, the plans feature subscribes the
 * sign-up plan on the account's creation event, and a chosen plan then replaces it; the creation is
 * audited once ({@code ADMIN_USER_CREATED} with the plan the user ends up on). Thread-safe.
 */
@Service
class AdminUserCreation {

    private final AccountAdminService accountAdmin;
    private final PlansService plans;
    private final AuditService audit;

    AdminUserCreation(AccountAdminService accountAdmin, PlansService plans, AuditService audit) {
        this.accountAdmin = accountAdmin;
        this.plans = plans;
        this.audit = audit;
    }

    /**
     * @param planId the plan to start on, or null for the sign-up plan
     * @throws PlansException {@code UNKNOWN_PLAN} (field {@code planId}), checked before the account is made
     * @throws io.iploop.server.accounts.AccountsException {@code EMAIL_TAKEN}, {@code INVALID_ACCOUNT}
     */
    @Transactional
    Account create(UUID adminId, String email, String firstName, String lastName, @Nullable String company,
            UserRole role, @Nullable String planId) {
        if (planId != null && plans.find(planId).isEmpty()) {
            throw new PlansException(PlansException.Reason.UNKNOWN_PLAN, "planId: unknown plan " + planId, "planId");
        }
        Account account = accountAdmin.createByAdmin(email, firstName, lastName, company, role);
        Subscription plan = planId == null
                ? plans.current(account.id()).orElseThrow(() -> new IllegalStateException(
                        "no sign-up subscription for new account " + account.id()))
                : plans.subscribeNewAccount(account.id(), planId);
        audit.record(new AuditEvent(adminId, AuditAction.ADMIN_USER_CREATED, "user", account.id().toString(), Map.of(
                "targetUserId", account.id().toString(), "email", account.email(), "role", role.dbValue(),
                "plan", plan.planId())));
        return account;
    }
}
