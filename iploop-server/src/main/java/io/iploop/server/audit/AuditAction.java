package io.iploop.server.audit;

import java.util.Locale;

/** The audited actions (docs/product/accounts.md#audit-log); stored lower case in {@code audit_logs.action}. */
public enum AuditAction {
    LOGIN_SUCCEEDED,
    LOGIN_FAILED,
    LOGOUT,
    PASSWORD_CHANGED,
    PASSWORD_RESET_REQUESTED,
    PASSWORD_RESET,
    EMAIL_VERIFIED,
    PROFILE_UPDATED,
    /** The owner changed which e-mails the account gets (details: the three preferences). */
    NOTIFICATION_PREFERENCES_CHANGED,
    /** The owner deleted their own account (soft delete; docs/product/accounts.md#account-deletion). */
    ACCOUNT_DELETED,
    API_KEY_CREATED,
    API_KEY_ENABLED,
    API_KEY_DISABLED,
    API_KEY_DELETED,
    API_KEY_ROTATED,
    NODE_KEY_ISSUED,
    /** 2FA turned on after a verified TOTP code (docs/product/accounts.md#two-factor-authentication). */
    TWO_FACTOR_ENABLED,
    /** 2FA turned off by its owner with code and password. */
    TWO_FACTOR_DISABLED,
    /** 2FA turned off for this account by an admin (details: adminId). */
    TWO_FACTOR_RESET,
    /** An admin reset another account's 2FA (resource: the target user). */
    ADMIN_TWO_FACTOR_RESET,
    BACKUP_CODES_REGENERATED,
    /** A backup code was used in place of a TOTP code (details: remaining). */
    BACKUP_CODE_USED,
    /** A login session was ended by its owner, a password change or a reset (docs/product/accounts.md#login-sessions). */
    SESSION_TERMINATED,
    /** The account moved to another plan (details: from, to). */
    PLAN_CHANGED,
    /** An account-level or per-key IP whitelist was replaced (details: old, new; comma-separated). */
    IP_WHITELIST_CHANGED,
    /** An operator paused sharing on a device (docs/product/earn.md#credit-calculation). */
    DEVICE_PAUSED,
    /** An operator resumed sharing on a device. */
    DEVICE_RESUMED,
    /** An operator renamed a device; details: name. */
    DEVICE_RENAMED,
    /** An operator removed a device from the dashboard. */
    DEVICE_REMOVED,
    /** An admin adjusted a user's earn credits (docs/product/admin.md#earn-and-money-tools); details: credits, reason, transaction. */
    LEDGER_ADJUSTED,
    // Admin actions (docs/product/accounts.md#audit-log): the entry's user is the acting
    // admin, its resource the target; details carry old -> new values.
    /** An admin created an account (details: email, role, plan). */
    ADMIN_USER_CREATED,
    /** An admin changed an account's status (details: oldStatus, newStatus, reason). */
    ADMIN_USER_STATUS_CHANGED,
    /** An admin changed an account's role (details: oldRole, newRole). */
    ADMIN_USER_ROLE_CHANGED,
    /** An admin soft-deleted an account. */
    ADMIN_USER_DELETED,
    /** An admin set an account's GB balance (details: oldGbBalance, newGbBalance, reason). */
    BALANCE_ADJUSTED,
    /** An admin added a plan to the catalogue. */
    ADMIN_PLAN_CREATED,
    /** An admin changed a plan (details: the changed fields, old -> new). */
    ADMIN_PLAN_UPDATED,
    /** An admin deleted or deactivated a plan (details: outcome). */
    ADMIN_PLAN_DELETED,
    /** An admin changed the plan new accounts start on (details: old and new plan and GB). */
    SIGNUP_PLAN_CHANGED,
    /** A cash-out was requested (docs/product/accounts.md#audit-log: amount, method); details: amount, method, auto. */
    CASHOUT_REQUESTED,
    /** An admin approved a cash-out; details: owner, amount, method, note. */
    CASHOUT_APPROVED,
    /** An admin rejected a cash-out (credits released); details: owner, amount, method, note. */
    CASHOUT_REJECTED,
    /** The user cancelled a cash-out. */
    CASHOUT_CANCELLED,
    /** A cash-out was paid; details: owner, amount, method, provider, transaction id. */
    CASHOUT_COMPLETED,
    /**
     * An admin resolved a cash-out in {@code payout_unknown}; details: owner, amount, method,
     * outcome (paid or failed), transaction id or note.
     */
    CASHOUT_PAYOUT_RESOLVED,
    /**
     * An admin viewed the full payment details of a cash-out paid by hand (one entry per view);
     * details: owner, method, status, net amount (never the payment details).
     */
    CASHOUT_DETAILS_VIEWED,
    /** An admin cleared an earnings review flag; details: owner, flag reason, note. */
    EARN_REVIEW_CLEARED,
    /** An admin added a destination to the egress blocklist (docs/security.md); details: host, cidr, port, reason. */
    EGRESS_BLOCKLIST_ENTRY_ADDED,
    /** An admin removed a destination from the egress blocklist; details: host, cidr, port, reason. */
    EGRESS_BLOCKLIST_ENTRY_REMOVED,
    /** An admin banned or quarantined exit nodes (docs/moderation.md); details: action, scope, target, reason, expiresAt. */
    NODE_MODERATED,
    /** An admin lifted a ban or quarantine; details: action, scope, target. */
    NODE_MODERATION_LIFTED,
    /** An operator revoked one of their node keys (docs/moderation.md); details: name. */
    NODE_KEY_REVOKED,
    /** An admin resolved an abuse report (docs/moderation.md#abuse-reports); details: target, quarantinedNodes, note. */
    ABUSE_REPORT_RESOLVED,
    /** A webhook endpoint was registered (docs/integrations/webhooks.md); details: url, event types. */
    WEBHOOK_CREATED,
    /** A webhook endpoint was deleted; details: url. */
    WEBHOOK_DELETED,
    /** A webhook endpoint's signing secret was replaced; details: url. */
    WEBHOOK_SECRET_ROTATED,
    /**
     * The renewal job granted a subscription its next period's GB (docs/plans-and-alerts.md);
     * details: plan, rule, old and new period start, old and new GB balance.
     */
    PLAN_RENEWED,
    /** The end of an account's subscription was set or cleared (docs/plans-and-alerts.md); details: old, new. */
    SUBSCRIPTION_EXPIRY_SET,
    /** A customer asked for a top-up (docs/billing.md); resource: the invoice; details: number, package, total. */
    INVOICE_REQUESTED,
    /** An admin marked an invoice paid (docs/billing.md); details: owner, number, total, reference, transaction. */
    INVOICE_MARKED_PAID,
    /** An admin voided an open invoice (docs/billing.md); details: owner, number, total, reason. */
    INVOICE_VOIDED,
    /** An admin changed the auto-ban rules (docs/moderation.md#auto-ban-rules); details: every setting afterwards. */
    AUTO_BAN_RULES_CHANGED,
    /**
     * An account's IP-authorised addresses were replaced (docs/ip-authorised-access.md); details:
     * old, new (comma-separated {@code ip=targeting}).
     */
    IP_AUTHORISATIONS_CHANGED,
    /**
     * An account created a sub-user (docs/sub-users.md#audit); resource: the sub-user; details: name
     * and every setting (never the password).
     */
    SUB_USER_CREATED,
    /** An account changed a sub-user's settings (docs/sub-users.md#audit); details: name, each changed setting as {@code old -> new}. */
    SUB_USER_UPDATED,
    /** An account enabled a sub-user (docs/sub-users.md#audit); details: name, enabled {@code old -> new}. */
    SUB_USER_ENABLED,
    /** An account disabled a sub-user (docs/sub-users.md#audit); details: name, enabled {@code old -> new}. */
    SUB_USER_DISABLED,
    /** An account deleted a sub-user (docs/sub-users.md#audit); details: name and every setting it had. */
    SUB_USER_DELETED,
    /**
     * A customer saved their billing details (docs/billing.md#vat); details: country, vatId, company.
     */
    BILLING_DETAILS_UPDATED,
    /**
     * An admin refunded (part of) a paid invoice (docs/billing.md#refunds); details: owner, number,
     * creditNote, amountCents, reason, transactionId.
     */
    INVOICE_REFUNDED,
    /**
     * A chargeback of a paid invoice was recorded (docs/billing.md#refunds); details as
     * {@link #INVOICE_REFUNDED}.
     */
    INVOICE_CHARGED_BACK,
    /**
     * A customer scheduled a plan change or cancellation for the period end (docs/billing.md#plan-changes);
     * details: plan, pendingPlan (or cancel), periodEnd.
     */
    PLAN_CHANGE_SCHEDULED,
    /** A customer took back a scheduled plan change or cancellation (docs/billing.md#plan-changes); details: plan, was. */
    PLAN_CHANGE_WITHDRAWN,
    /** A paid invoice's payment failed afterwards and what it granted was taken back (docs/billing.md#failed-payments). */
    INVOICE_PAYMENT_FAILED,
    /** A disputed payment's chargeback was given back because the dispute was won (docs/billing.md#disputes). */
    INVOICE_DISPUTE_WON,
    /** The owner downloaded their personal data (docs/privacy.md#export); no details. */
    ACCOUNT_DATA_EXPORTED,
    /**
     * The owner's account was erased (docs/privacy.md#erasure): personal data anonymised, legal
     * records kept; details: the features that erased data.
     */
    ACCOUNT_ERASED,
    /** An admin changed how long per-request usage rows are kept (docs/privacy.md#retention); details: days old -> new. */
    USAGE_RETENTION_CHANGED,
    /**
     * An admin assigned an unmatched payment-provider event to an account, crediting its campaign
     * wallet (docs/campaigns.md#funding); details: eventId, amount, currency.
     */
    ADMIN_CAMPAIGN_PAYMENT_ASSIGNED,
    /**
     * An admin credited a campaign wallet by hand for money received outside the webhook, e.g. a bank
     * transfer (docs/campaigns.md#manual-funding); details: amount, currency, reference, replayed.
     */
    ADMIN_CAMPAIGN_WALLET_CREDITED,
    /**
     * Upstream-pool upstreams were imported (docs/upstream-pool.md#upstreams-import-and-reload); details:
     * mode, added, updated, removed, total. By an admin, an admin API token's owner, or the system (file).
     */
    POOL_UPSTREAMS_IMPORTED,
    /** An admin removed the upstream of one pool port; resource: the port. */
    POOL_UPSTREAM_DELETED,
    /** An admin created a pool plan (docs/upstream-pool.md#plans); details: name, price. */
    POOL_PLAN_CREATED,
    /** An admin granted or changed an account's pool subscription (docs/upstream-pool.md#access); details: plan, ports, expiresAt. */
    POOL_ACCESS_GRANTED,
    /** An admin banned an account from the upstream pool; details: reason. */
    POOL_ACCESS_BANNED,
    /** An admin lifted an account's pool ban. */
    POOL_ACCESS_UNBANNED,
    /** An admin created an admin API token (docs/upstream-pool.md#admin-api-and-tokens); details: name, scopes, expiresAt. */
    ADMIN_TOKEN_CREATED,
    /** An admin revoked an admin API token. */
    ADMIN_TOKEN_REVOKED,
    /**
     * A paid invoice granted or renewed the buyer's pool access (docs/upstream-pool.md#buying-a-pool-plan);
     * resource: the invoice; details: owner, plan, previousEnd, newEnd.
     */
    POOL_PLAN_PURCHASED,
    /**
     * A refund, chargeback or failed payment took back the pool access an invoice granted; resource: the
     * invoice; details: owner, reason, newEnd.
     */
    POOL_PLAN_PURCHASE_REVOKED,
    /**
     * A dispute won gave back the pool access its chargeback had taken; resource: the invoice; details:
     * owner, reason, plan, givenBackSeconds, newEnd.
     */
    POOL_PLAN_PURCHASE_REINSTATED;

    /** The value stored in {@code audit_logs.action} and accepted by the {@code action} filter. */
    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
