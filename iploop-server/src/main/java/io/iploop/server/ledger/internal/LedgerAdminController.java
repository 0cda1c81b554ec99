package io.iploop.server.ledger.internal;

import io.iploop.server.accounts.AccountsService;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerException;
import io.iploop.server.ledger.ConsistencyReport;
import io.iploop.server.ledger.CreditAdjustment;
import io.iploop.server.ledger.LedgerAccount;
import io.iploop.server.ledger.LedgerPage;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.PostedTransaction;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/admin/ledger}: the consistency report, manual credit adjustments and any user's
 * ledger accounts (docs/product/admin.md#earn-and-money-tools). Admins only.
 */
@RestController
@RequestMapping("/api/admin/ledger")
@Tag(name = "Admin: ledger")
class LedgerAdminController {

    private final LedgerService ledger;
    private final CreditAdjustments adjustments;
    private final AccountsService accounts;

    LedgerAdminController(LedgerService ledger, CreditAdjustments adjustments, AccountsService accounts) {
        this.ledger = ledger;
        this.adjustments = adjustments;
        this.accounts = accounts;
    }

    @GetMapping("/consistency")
    @Operation(summary = "Re-derive every balance from its entries and check every transaction sums to zero")
    ConsistencyView consistency() {
        ConsistencyReport r = ledger.checkConsistency();
        return new ConsistencyView(r.consistent(), r);
    }

    /** The report with its verdict first, so a glance at the JSON answers the question. */
    record ConsistencyView(boolean consistent, ConsistencyReport report) {}

    @PostMapping("/adjustments")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Add or remove a user's earn credits with a reason (audited)",
            description = "A ledger transaction against the platform adjustment account; never below zero.")
    PostedTransaction adjust(@AuthenticationPrincipal AuthenticatedUser admin,
            @Valid @RequestBody AdjustmentRequest request) {
        return adjustments.adjust(admin.userId(),
                new CreditAdjustment(request.userId(), request.credits(), request.reason(), request.idempotencyKey()));
    }

    /** Body of {@code POST /api/admin/ledger/adjustments}. */
    record AdjustmentRequest(@NotNull UUID userId, long credits, @NotBlank String reason,
            @Nullable String idempotencyKey) {}

    @GetMapping("/users/{userId}/accounts")
    @Operation(summary = "A user's earn ledger accounts with balances")
    List<LedgerAccount> accounts(@PathVariable UUID userId) {
        if (accounts.find(userId).isEmpty()) {
            throw new LedgerException(LedgerException.Reason.UNKNOWN_ACCOUNT, "no such user", "userId");
        }
        return List.of(ledger.account(userId, AccountPurpose.OPERATOR_EARNINGS),
                ledger.account(userId, AccountPurpose.CASHOUT_RESERVED));
    }

    @GetMapping("/accounts/{accountId}/entries")
    @Operation(summary = "Any ledger account's entries, newest first, with the running balance")
    LedgerPage entries(@PathVariable UUID accountId, @RequestParam(defaultValue = "1") int page,
            @RequestParam(defaultValue = "50") int limit) {
        return ledger.history(accountId, page, limit);
    }
}
