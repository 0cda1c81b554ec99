package io.iploop.server.campaigns.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.campaigns.CampaignWalletService;
import io.iploop.server.campaigns.CampaignsException;
import io.iploop.server.campaigns.CampaignsException.Reason;
import io.iploop.server.campaigns.WalletCredit;
import io.iploop.server.campaigns.WalletReversal;
import io.iploop.server.campaigns.internal.PaymentEventRepository.PaymentEventRow;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The payment-provider webhook that funds campaign wallets (docs/campaigns.md#funding): checks the
 * signature, stores the event once by its id, finds the payer (metadata {@code user_id}, then
 * {@code reference}, then the payer's e-mail) and credits the EUR wallet in the same database
 * transaction with key {@code campaign-topup:payment_provider:<event id>}. Unknown payers are kept as
 * {@code unmatched} for an admin to assign. A {@code payment.refunded} or {@code payment.disputed}
 * event naming a credited payment ({@code payment_event_id}) takes the amount back
 * (docs/campaigns.md#refunds-and-chargebacks). Thread-safe; concurrent duplicates credit or reverse once.
 */
@Service
class PaymentWebhook {

    static final String TYPE_COMPLETED = "payment.completed";
    /** The provider refunded (part of) a payment; {@code payment_event_id} names the payment's event. */
    static final String TYPE_REFUNDED = "payment.refunded";
    /** The payer's bank took (part of) a payment back (chargeback); {@code payment_event_id} as for a refund. */
    static final String TYPE_DISPUTED = "payment.disputed";

    /** What became of a delivered event. */
    record Outcome(String outcome, @Nullable String reason) {}

    private final CampaignPaymentSettings settings;
    private final PaymentEventRepository events;
    private final CampaignWalletService wallet;
    private final AccountsService accounts;
    private final AuditService audit;
    private final TransactionTemplate tx;
    private final JsonMapper json;
    private final Clock clock;

    PaymentWebhook(CampaignPaymentSettings settings, PaymentEventRepository events, CampaignWalletService wallet,
            AccountsService accounts, AuditService audit, TransactionTemplate tx, JsonMapper json, Clock clock) {
        this.settings = settings;
        this.events = events;
        this.wallet = wallet;
        this.accounts = accounts;
        this.audit = audit;
        this.tx = tx;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Handles one delivery.
     *
     * @param body the raw request body, exactly as signed
     * @return {@code credited}, {@code unmatched}, {@code reversed} (a refund or chargeback took money back;
     *     a reason when part of it had been spent), {@code rejected} (with a reason) or {@code duplicate}
     * @throws CampaignsException {@code PAYMENT_WEBHOOK_NOT_CONFIGURED} (503) without a secret,
     *     {@code INVALID_SIGNATURE} (400), or {@code INVALID} (400) for a body that is not a JSON object
     *     with an {@code id}; nothing is stored then
     */
    Outcome receive(byte[] body, @Nullable String signature) {
        if (!settings.enabled()) {
            throw new CampaignsException(Reason.PAYMENT_WEBHOOK_NOT_CONFIGURED,
                    "the payment webhook is off: IPLOOP_CAMPAIGNS_PAYMENT_WEBHOOK_SECRET is not set", null);
        }
        PaymentSignature.verify(settings.webhookSecret(), signature, body, clock.instant(), settings.webhookTolerance());
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JacksonException e) {
            throw new CampaignsException(Reason.INVALID, "the body must be a JSON object", "body");
        }
        if (root == null || !root.isObject()) {
            throw new CampaignsException(Reason.INVALID, "the body must be a JSON object", "body");
        }
        String id = text(root, "id");
        if (id == null || id.length() > 200) {
            throw new CampaignsException(Reason.INVALID, "id (the provider's event id, 1-200 characters) is required", "id");
        }
        String type = Optional.ofNullable(text(root, "type")).orElse("");
        String currency = text(root, "currency");
        String email = text(root.path("payer"), "email");
        JsonNode metadata = root.path("metadata");
        String userRef = text(metadata, "user_id");
        String reference = text(metadata, "reference");
        String payload = new String(body, StandardCharsets.UTF_8);
        BigDecimal amount = amount(root.get("amount"));

        boolean reversal = TYPE_REFUNDED.equals(type) || TYPE_DISPUTED.equals(type);
        String paymentId = reversal ? text(root, "payment_event_id") : null;
        String rejection = null;
        if (!TYPE_COMPLETED.equals(type) && !reversal) {
            rejection = "event type '" + type + "' is not handled (only " + TYPE_COMPLETED + ", " + TYPE_REFUNDED
                    + " and " + TYPE_DISPUTED + ")";
        } else if (reversal && (paymentId == null || paymentId.length() > 200)) {
            rejection = "payment_event_id (the id of the refunded payment's " + TYPE_COMPLETED
                    + " event, 1-200 characters) is required";
        } else if (reversal && reversalKey(id).length() > 200) {
            rejection = "id: a " + type + " event id may have at most " + (200 - reversalKey("").length()) + " characters";
        } else if (currency == null || !currency.equalsIgnoreCase("EUR")) {
            rejection = "currency " + currency + " is not accepted: campaign wallets are EUR only";
        } else if (amount == null || amount.signum() <= 0 || amount.stripTrailingZeros().scale() > 2
                || amount.compareTo(new BigDecimal("10000000")) > 0) {
            rejection = "amount must be more than 0 and at most 10,000,000 EUR with at most 2 decimals";
        }
        String finalRejection = rejection;
        BigDecimal storedAmount = amount != null && amount.abs().compareTo(new BigDecimal("1e14")) < 0
                && amount.scale() <= 6 ? amount : null;
        return tx.execute(s -> {
            boolean fresh = events.insert(id, clip(type, 100), finalRejection == null && !reversal ? "unmatched" : "rejected",
                    finalRejection, storedAmount, clip(currency, 10), clip(email, 320),
                    clip(reversal ? paymentId : firstNonNull(userRef, reference), 200), payload);
            if (!fresh) {
                return new Outcome("duplicate", null);
            }
            if (finalRejection != null) {
                return new Outcome("rejected", finalRejection);
            }
            if (reversal) {
                return reverse(id, type, java.util.Objects.requireNonNull(paymentId), amount);
            }
            Optional<Account> payer = payer(userRef, reference, email);
            if (payer.isEmpty()) {
                events.markUnmatched(id, "no account for user_id, reference or payer e-mail");
                return new Outcome("unmatched", "no account for user_id, reference or payer e-mail");
            }
            WalletCredit credit = wallet.credit(payer.get().id(), amount, key(id), "Payment " + id,
                    Map.of("provider", "payment_provider", "eventId", id));
            events.markCredited(id, payer.get().id(), credit.transactionId(), null);
            return new Outcome("credited", null);
        });
    }

    /**
     * A refund or chargeback of the payment stored as {@code paymentId}, in the caller's transaction, the
     * event already stored as {@code rejected}. The payment's row is locked first, so an admin's
     * concurrent assignment of it waits. A credited payment is taken back (in part) from the wallet;
     * an unmatched one can no longer be assigned (it becomes {@code rejected}: the money went back).
     */
    private Outcome reverse(String id, String type, String paymentId, BigDecimal amount) {
        Optional<PaymentEventRow> payment = events.lock(paymentId).filter(p -> TYPE_COMPLETED.equals(p.eventType()));
        String what = TYPE_DISPUTED.equals(type) ? "chargeback" : "refund";
        if (payment.isEmpty()) {
            return rejected(id, "payment_event_id " + paymentId + " names no stored " + TYPE_COMPLETED + " event");
        }
        if ("unmatched".equals(payment.get().status())) {
            events.markRejected(paymentId, "a " + what + " (event " + id + ") took EUR " + amount.toPlainString()
                    + " back before the payment was assigned; credit what was not taken back by hand");
            return rejected(id, "payment " + paymentId + " was never credited; it is now rejected so it cannot be assigned");
        }
        if (!"credited".equals(payment.get().status())) {
            return rejected(id, "payment " + paymentId + " is " + payment.get().status() + ", nothing was credited");
        }
        WalletReversal r = wallet.reverse(key(paymentId), amount, reversalKey(id), false,
                (what.equals("refund") ? "Refund" : "Chargeback") + " of payment " + paymentId,
                Map.of("provider", "payment_provider", "eventId", id, "paymentEventId", paymentId, "type", type));
        if (r.transactionId() == null) {
            return rejected(id, "nothing is left of payment " + paymentId + " to take back (earlier refunds took it all)");
        }
        events.markReversed(id, r.userId(), r.transactionId());
        return new Outcome("reversed", r.lost().signum() > 0 ? "EUR " + r.lost().setScale(2, java.math.RoundingMode.HALF_UP).toPlainString()
                + " of it had been spent and is booked as a loss" : null);
    }

    private Outcome rejected(String id, String reason) {
        events.markRejected(id, reason);
        return new Outcome("rejected", reason);
    }

    /** The ledger key of a refund or chargeback event (docs/campaigns.md#refunds-and-chargebacks). */
    static String reversalKey(String eventId) {
        return "campaign-topup-reversal:payment_provider:" + eventId;
    }

    /** Stored events, newest first; {@code status} null for all. */
    List<PaymentEventRow> list(@Nullable String status) {
        if (status != null && !List.of("credited", "unmatched", "rejected", "reversed").contains(status)) {
            throw new CampaignsException(Reason.INVALID, "status must be credited, unmatched, rejected or reversed",
                    "status");
        }
        return events.list(status, 200);
    }

    /**
     * Credits an unmatched event to {@code userId}'s wallet (same idempotency key as the webhook), audited.
     *
     * @throws CampaignsException {@code PAYMENT_NOT_FOUND}, {@code PAYMENT_NOT_UNMATCHED} (409), or
     *     {@code INVALID} (field {@code userId}) for an unknown account
     */
    PaymentEventRow assign(UUID adminId, String eventId, @Nullable UUID userId) {
        if (userId == null || accounts.find(userId).isEmpty()) {
            throw new CampaignsException(Reason.INVALID, "userId must be an existing account", "userId");
        }
        return tx.execute(s -> {
            PaymentEventRow row = events.lock(eventId).orElseThrow(
                    () -> new CampaignsException(Reason.PAYMENT_NOT_FOUND, "no such payment event", "eventId"));
            if (!"unmatched".equals(row.status()) || row.amount() == null) {
                throw new CampaignsException(Reason.PAYMENT_NOT_UNMATCHED,
                        "the payment event is " + row.status() + ", only unmatched events can be assigned", "eventId");
            }
            WalletCredit credit = wallet.credit(userId, row.amount(), key(eventId), "Payment " + eventId,
                    Map.of("provider", "payment_provider", "eventId", eventId, "assignedBy", adminId.toString()));
            events.markCredited(eventId, userId, credit.transactionId(), adminId);
            audit.record(new AuditEvent(adminId, AuditAction.ADMIN_CAMPAIGN_PAYMENT_ASSIGNED, "user", userId.toString(),
                    Map.of("eventId", eventId, "amount", row.amount().toPlainString(), "currency", "EUR")));
            return events.lock(eventId).orElseThrow();
        });
    }

    static String key(String eventId) {
        return "campaign-topup:payment_provider:" + eventId;
    }

    private Optional<Account> payer(@Nullable String userRef, @Nullable String reference, @Nullable String email) {
        for (String ref : new String[] {userRef, reference}) {
            UUID id = uuid(ref);
            if (id != null) {
                Optional<Account> a = accounts.find(id);
                if (a.isPresent()) {
                    return a;
                }
            }
        }
        return email == null ? Optional.empty() : accounts.findActiveByEmail(email);
    }

    private static @Nullable UUID uuid(@Nullable String s) {
        if (s == null) {
            return null;
        }
        String v = s.startsWith("IPL-") ? s.substring(4) : s;
        try {
            return UUID.fromString(v);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static @Nullable BigDecimal amount(@Nullable JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        try {
            return n.isNumber() ? n.decimalValue() : n.isString() ? new BigDecimal(n.asString().strip()) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static @Nullable String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isValueNode() || v.isNull()) {
            return null;
        }
        String s = v.asString().strip();
        return s.isEmpty() ? null : s;
    }

    private static @Nullable String firstNonNull(@Nullable String a, @Nullable String b) {
        return a != null ? a : b;
    }

    private static @Nullable String clip(@Nullable String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
