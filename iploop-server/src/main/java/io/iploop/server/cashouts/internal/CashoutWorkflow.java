package io.iploop.server.cashouts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.cashouts.Cashout;
import io.iploop.server.cashouts.CashoutStateMachine;
import io.iploop.server.cashouts.CashoutStateMachine.Transition;
import io.iploop.server.cashouts.CashoutSource;
import io.iploop.server.cashouts.CashoutStatus;
import io.iploop.server.cashouts.CashoutStatusChanged;
import io.iploop.server.cashouts.CashoutsException;
import io.iploop.server.cashouts.MethodConfig;
import io.iploop.server.ledger.LedgerException;
import io.iploop.server.earn.EarnService;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import io.iploop.server.mail.MailService;
import io.iploop.server.platform.SecureTokens;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies {@link CashoutStateMachine} transitions: each public method is one database transaction
 * that locks the cash-out row, checks the transition, updates the row, posts the transition's
 * ledger movement, enqueues the status mail, audits and publishes {@link CashoutStatusChanged}. So
 * a state change and its money movement commit together or not at all. Thread-safe.
 */
@Component
class CashoutWorkflow {

    /** Outcome of checking a confirmation code; a failed check is committed before the caller throws. */
    enum CodeCheck { OK, WRONG, EXPIRED }

    private final CashoutRepository repository;
    private final LedgerService ledger;
    private final MailService mail;
    private final CashoutMails mails;
    private final AccountsService accounts;
    private final AuditService audit;
    private final ApplicationEventPublisher events;
    private final CashoutsSettings settings;
    private final Clock clock;
    private final EarnService earn;

    CashoutWorkflow(CashoutRepository repository, LedgerService ledger, MailService mail, CashoutMails mails,
            AccountsService accounts, AuditService audit, ApplicationEventPublisher events, CashoutsSettings settings,
            Clock clock, EarnService earn) {
        this.earn = earn;
        this.repository = repository;
        this.ledger = ledger;
        this.mail = mail;
        this.mails = mails;
        this.accounts = accounts;
        this.audit = audit;
        this.events = events;
        this.settings = settings;
        this.clock = clock;
    }

    /** SHA-256 of a code bound to its object, so equal codes of two requests hash differently. */
    static String codeHash(UUID objectId, String code) {
        return SecureTokens.sha256Hex(objectId + ":" + code.strip());
    }

    /**
     * Checks a confirmation code and commits the attempt: a wrong code counts, and the last allowed
     * wrong code or an expired one moves the request to {@code expired}.
     */
    @Transactional
    CodeCheck checkCode(UUID userId, UUID id, String code) {
        CashoutRepository.Row row = lock(id, userId);
        CashoutStateMachine.require(row.status(), CashoutStatus.PENDING);
        Instant expires = row.codeExpiresAt();
        if (row.codeHash() == null || expires == null || !clock.instant().isBefore(expires)) {
            move(row, CashoutStatus.EXPIRED, null, null);
            return CodeCheck.EXPIRED;
        }
        if (!java.security.MessageDigest.isEqual(row.codeHash().getBytes(), codeHash(id, code).getBytes())) {
            repository.codeAttemptFailed(id);
            if (row.codeAttempts() + 1 >= settings.maxCodeAttempts()) {
                move(row, CashoutStatus.EXPIRED, null, null);
                return CodeCheck.EXPIRED;
            }
            return CodeCheck.WRONG;
        }
        return CodeCheck.OK;
    }

    /** Wrong attempts left for a request after a failed {@link #checkCode}. */
    @Transactional(readOnly = true)
    int attemptsLeft(UUID id) {
        return repository.find(id, null).map(r -> settings.maxCodeAttempts() - r.codeAttempts()).orElse(0);
    }

    /**
     * awaiting_confirmation → pending with the credits reserved, then → approved when the user's
     * completed cash-outs reach the method's {@code auto_approve_after}.
     *
     * @throws CashoutsException {@code INSUFFICIENT_FUNDS} when the earnings no longer cover it
     */
    @Transactional
    Cashout confirm(UUID id, @Nullable UUID userId, MethodConfig method) {
        CashoutRepository.Row row = lock(id, userId);
        Integer after = method.autoApproveAfter();
        // An open earnings review flag (an earnings jump, docs/earn-fraud.md) holds every cash-out for an admin.
        boolean flagged = !earn.openReviewFlags(row.userId()).isEmpty();
        boolean review = after == null || flagged || repository.completedCount(row.userId()) < after;
        repository.confirmed(id);
        repository.setRequiresReview(id, review);
        Cashout pending = move(row, CashoutStatus.PENDING, null, null);
        if (review) {
            return pending;
        }
        repository.reviewed(id, null, "auto-approved: " + after + " or more completed cash-outs");
        return move(lock(id, null), CashoutStatus.APPROVED, null, null);
    }

    /** The user withdraws it (awaiting confirmation or pending); reserved credits come back. */
    @Transactional
    Cashout cancel(UUID userId, UUID id) {
        CashoutRepository.Row row = lock(id, userId);
        Cashout c = move(row, CashoutStatus.CANCELLED, userId, null);
        audit(userId, AuditAction.CASHOUT_CANCELLED, c, Map.of());
        return c;
    }

    /** Admin review: pending → approved or rejected (rejection releases the credits). */
    @Transactional
    Cashout review(UUID adminId, UUID id, boolean approve, @Nullable String note) {
        CashoutRepository.Row row = lock(id, null);
        CashoutStatus to = approve ? CashoutStatus.APPROVED : CashoutStatus.REJECTED;
        CashoutStateMachine.require(row.status(), to);
        repository.reviewed(id, adminId, note);
        Cashout c = move(lock(id, null), to, adminId, note);
        audit(adminId, approve ? AuditAction.CASHOUT_APPROVED : AuditAction.CASHOUT_REJECTED, c,
                note == null ? Map.of() : Map.of("note", note));
        return c;
    }

    /** approved → processing with {@code provider}, first attempt due now. */
    @Transactional
    Cashout startProcessing(UUID id, String provider) {
        CashoutRepository.Row row = lock(id, null);
        CashoutStateMachine.require(row.status(), CashoutStatus.PROCESSING);
        repository.startedProcessing(id, provider, clock.instant());
        return move(lock(id, null), CashoutStatus.PROCESSING, null, null);
    }

    /** The provider accepted the payout under {@code reference}; poll again after {@code pollAfter}. Stays processing. */
    @Transactional
    void accepted(UUID id, String reference, java.time.Duration pollAfter) {
        CashoutRepository.Row row = lock(id, null);
        CashoutStateMachine.require(row.status(), CashoutStatus.PROCESSING);
        repository.providerAccepted(id, reference, clock.instant().plus(pollAfter));
    }

    /**
     * A provider attempt failed (down, 5xx, timeout): processing → processing, credits stay reserved,
     * next attempt after the backoff. Mails the user on the first failure only, to not flood them.
     */
    @Transactional
    Cashout retryLater(UUID id, String error) {
        CashoutRepository.Row row = lock(id, null);
        CashoutStateMachine.require(row.status(), CashoutStatus.PROCESSING);
        int attempts = row.view().payoutAttempts() + 1;
        repository.attemptFailed(id, abbreviate(error), clock.instant().plus(settings.backoff(attempts)));
        CashoutRepository.Row updated = lock(id, null);
        if (attempts == 1) {
            return move(updated, CashoutStatus.PROCESSING, null, null);
        }
        return updated.view();
    }

    /**
     * processing → completed: the reserved credits move to PAYOUTS_PAID. An approved cash-out (manual
     * payment by an admin) passes through processing first, so the declared path is kept.
     */
    @Transactional
    Cashout complete(@Nullable UUID adminId, UUID id, String transactionId, String provider) {
        CashoutRepository.Row row = lock(id, null);
        if (row.status() == CashoutStatus.APPROVED) {
            repository.startedProcessing(id, provider, clock.instant());
            move(lock(id, null), CashoutStatus.PROCESSING, adminId, null);
            row = lock(id, null);
        }
        CashoutStateMachine.require(row.status(), CashoutStatus.COMPLETED);
        repository.finished(id, transactionId, null);
        Cashout c = move(lock(id, null), CashoutStatus.COMPLETED, adminId, null);
        audit(adminId == null ? c.userId() : adminId, AuditAction.CASHOUT_COMPLETED, c,
                Map.of("transactionId", transactionId, "provider", provider));
        return c;
    }

    /** processing → failed: the provider refused for good; the credits come back. */
    @Transactional
    Cashout fail(UUID id, String error) {
        CashoutRepository.Row row = lock(id, null);
        CashoutStateMachine.require(row.status(), CashoutStatus.FAILED);
        repository.finished(id, null, abbreviate(error));
        return move(lock(id, null), CashoutStatus.FAILED, null, null);
    }

    /**
     * processing → payout_unknown: the provider may or may not have paid. The credits stay reserved
     * and nothing automatic moves it again; an admin resolves it with {@link #resolveUnknown}.
     */
    @Transactional
    Cashout payoutUnknown(UUID id, String error) {
        CashoutRepository.Row row = lock(id, null);
        CashoutStateMachine.require(row.status(), CashoutStatus.PAYOUT_UNKNOWN);
        repository.attemptFailed(id, abbreviate(error), clock.instant());
        return move(lock(id, null), CashoutStatus.PAYOUT_UNKNOWN, null, null);
    }

    /**
     * An admin's finding on a payout_unknown cash-out: paid (→ completed, CASHOUT_PAYOUT with the
     * provider's transaction id) or not paid (→ failed, CASHOUT_RELEASE). One ledger transaction
     * either way, audited as {@link AuditAction#CASHOUT_PAYOUT_RESOLVED}.
     *
     * @param transactionId the provider's transaction id; required when {@code paid}
     * @throws CashoutsException {@code INVALID_TRANSITION} (409) unless it is payout_unknown
     */
    @Transactional
    Cashout resolveUnknown(UUID adminId, UUID id, boolean paid, @Nullable String transactionId, @Nullable String note) {
        CashoutRepository.Row row = lock(id, null);
        CashoutStatus to = paid ? CashoutStatus.COMPLETED : CashoutStatus.FAILED;
        if (row.status() != CashoutStatus.PAYOUT_UNKNOWN) {
            throw new CashoutsException(CashoutsException.Reason.INVALID_TRANSITION, "cash-out is "
                    + row.status().dbValue() + ", not payout_unknown: only an unknown payout is resolved", "status");
        }
        repository.finished(id, paid ? transactionId : null, paid ? null : abbreviate(note == null ? "not paid" : note));
        repository.reviewed(id, adminId, note);
        Cashout c = move(lock(id, null), to, adminId, note);
        Map<String, String> details = new LinkedHashMap<>();
        details.put("outcome", paid ? "paid" : "failed");
        if (transactionId != null) {
            details.put("transactionId", transactionId);
        }
        if (note != null) {
            details.put("note", note);
        }
        audit(adminId, AuditAction.CASHOUT_PAYOUT_RESOLVED, c, details);
        return c;
    }

    /** Audits a new request (docs/product/accounts.md#audit-log: amount, method). */
    void audited(UUID userId, Cashout c) {
        audit(userId, AuditAction.CASHOUT_REQUESTED, c, Map.of("auto", Boolean.toString(c.auto())));
    }

    private CashoutRepository.Row lock(UUID id, @Nullable UUID userId) {
        return repository.lock(id, userId).orElseThrow(() -> new CashoutsException(CashoutsException.Reason.NOT_FOUND,
                "no cash-out " + id, "id"));
    }

    /** The one place a status changes: checks the transition, updates, moves the funds, mails, publishes. */
    private Cashout move(CashoutRepository.Row row, CashoutStatus to, @Nullable UUID actor, @Nullable String note) {
        Transition t = CashoutStateMachine.require(row.status(), to);
        if (t.from() != t.to()) {
            repository.updateStatus(row.id(), to);
        }
        moveFunds(row.view(), t, actor);
        Cashout c = repository.find(row.id(), null).orElseThrow().view();
        accounts.find(c.userId()).map(Account::email)
                .ifPresent(email -> mail.enqueue(mails.statusChanged(email, c, t.from())));
        events.publishEvent(new CashoutStatusChanged(c.id(), c.userId(), t.from(), t.to(),
                c.source() == CashoutSource.EARN ? c.amountCredits() : 0, c.amountUsd(), c.currency(), c.source()));
        return c;
    }

    private void moveFunds(Cashout c, Transition t, @Nullable UUID actor) {
        CashoutSource source = c.source();
        UUID available = ledger.account(c.userId(), source.available()).id();
        UUID reserved = ledger.account(c.userId(), source.reserved()).id();
        // Earn cash-outs move whole credits; affiliate ones the EUR amount itself (docs/affiliates.md#payouts).
        BigDecimal amount = source == CashoutSource.EARN ? BigDecimal.valueOf(c.amountCredits()) : c.amountUsd();
        String what = source == CashoutSource.EARN ? "credits" : "commission";
        Map<String, String> facts = Map.of("cashoutId", c.id().toString(), "method", c.method().dbValue(),
                "source", source.dbValue());
        NewTransaction tx = switch (t.funds()) {
            case NONE -> null;
            case RESERVE -> new NewTransaction(TransactionKind.CASHOUT_RESERVE, key(c, "reserve"),
                    "Cash-out reserved (" + c.method().dbValue() + ")",
                    List.of(new Posting(available, amount.negate()), new Posting(reserved, amount)), null, actor, facts);
            case RELEASE -> new NewTransaction(TransactionKind.CASHOUT_RELEASE, key(c, "release"),
                    "Cash-out " + t.to().dbValue() + ": " + what + " returned",
                    List.of(new Posting(reserved, amount.negate()), new Posting(available, amount)), null, actor, facts);
            case PAY_OUT -> new NewTransaction(TransactionKind.CASHOUT_PAYOUT, key(c, "payout"),
                    "Cash-out paid (" + c.method().dbValue() + ")",
                    List.of(new Posting(reserved, amount.negate()),
                            new Posting(ledger.platformAccount(source.paid()).id(), amount)),
                    null, actor, facts);
        };
        if (tx == null) {
            return;
        }
        try {
            ledger.post(tx);
        } catch (LedgerException e) {
            if (e.reason() == LedgerException.Reason.INSUFFICIENT_FUNDS) {
                throw new CashoutsException(CashoutsException.Reason.INSUFFICIENT_FUNDS,
                        "your available balance no longer covers this cash-out of " + c.amountText()
                                + " (another cash-out may have reserved it); nothing was reserved",
                        source == CashoutSource.EARN ? "amountCredits" : "amount");
            }
            throw e;
        }
    }

    /** The ledger idempotency key of a cash-out's movement; {@code payout} is also PayPal's sender_batch_id. */
    static String key(Cashout c, String what) {
        return key(c.id(), what);
    }

    static String key(UUID cashoutId, String what) {
        return "cashout:" + cashoutId + ":" + what;
    }

    private void audit(UUID actor, AuditAction action, Cashout c, Map<String, String> extra) {
        Map<String, String> details = new LinkedHashMap<>(extra);
        details.put("userId", c.userId().toString());
        details.put("amountCredits", Long.toString(c.amountCredits()));
        details.put("amountUsd", c.amountUsd().toPlainString());
        details.put("method", c.method().dbValue());
        audit.record(new AuditEvent(actor, action, "cashout", c.id().toString(), details));
    }

    private static String abbreviate(String s) {
        return s.length() <= 500 ? s : s.substring(0, 500) + "…";
    }
}
