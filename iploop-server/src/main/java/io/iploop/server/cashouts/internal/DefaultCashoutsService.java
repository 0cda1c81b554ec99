package io.iploop.server.cashouts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.cashouts.AutoCashoutSettings;
import io.iploop.server.cashouts.Cashout;
import io.iploop.server.cashouts.CashoutMethod;
import io.iploop.server.cashouts.CashoutPage;
import io.iploop.server.cashouts.CashoutPaymentDetails;
import io.iploop.server.cashouts.CashoutSource;
import io.iploop.server.cashouts.CashoutStatus;
import io.iploop.server.cashouts.CashoutsException;
import io.iploop.server.cashouts.CashoutsException.Reason;
import io.iploop.server.cashouts.CashoutsService;
import io.iploop.server.cashouts.MethodConfig;
import io.iploop.server.cashouts.NewCashout;
import io.iploop.server.cashouts.NewPaymentMethod;
import io.iploop.server.cashouts.SavedPaymentMethod;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerCurrency;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.mail.MailService;
import io.iploop.server.platform.PlatformSecrets;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The cash-outs service: validation, requests and their codes, saved payment methods and
 * auto-cash-out. Status changes go through {@link CashoutWorkflow}. Thread-safe.
 */
@Service
class DefaultCashoutsService implements CashoutsService {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final BigDecimal CREDITS_PER_USD = BigDecimal.valueOf(1000);
    /** Credits per cent: amounts are whole cents so the payout needs no rounding. */
    private static final long CREDITS_PER_CENT = 10;
    private static final BigDecimal DEFAULT_THRESHOLD_USD = new BigDecimal("20.00");

    private final CashoutRepository repository;
    private final PaymentMethodRepository paymentMethods;
    private final CashoutWorkflow workflow;
    private final LedgerService ledger;
    private final AccountsService accounts;
    private final MailService mail;
    private final CashoutMails mails;
    private final PlatformSecrets cipher;
    private final JsonMapper json;
    private final CashoutsSettings settings;
    private final Clock clock;
    private final TransactionTemplate tx;
    private final PayoutProviders providers;
    private final AuditService audit;

    DefaultCashoutsService(CashoutRepository repository, PaymentMethodRepository paymentMethods,
            CashoutWorkflow workflow, LedgerService ledger, AccountsService accounts, MailService mail,
            CashoutMails mails, PlatformSecrets cipher, JsonMapper json, CashoutsSettings settings, Clock clock,
            PlatformTransactionManager transactions, PayoutProviders providers, AuditService audit) {
        this.repository = repository;
        this.paymentMethods = paymentMethods;
        this.workflow = workflow;
        this.ledger = ledger;
        this.accounts = accounts;
        this.mail = mail;
        this.mails = mails;
        this.cipher = cipher;
        this.json = json;
        this.settings = settings;
        this.clock = clock;
        this.tx = new TransactionTemplate(transactions);
        this.providers = providers;
        this.audit = audit;
    }

    @Override
    @Transactional(readOnly = true)
    public List<MethodConfig> methods() {
        return repository.methods();
    }

    @Override
    @Transactional
    public Cashout request(UUID userId, NewCashout r) {
        CashoutMethod method = parseMethod(r.method(), "method");
        MethodConfig config = activeConfig(method);
        String amountField = r.amountUsd() != null ? "amountUsd" : "amountCredits";
        long credits = credits(r.amountUsd(), r.amountCredits());
        BigDecimal usd = usd(credits);
        BigDecimal fee = checkAmount(config, usd, amountField);

        UUID savedId = r.savedPaymentMethodId();
        PaymentDetails.Validated details = details(userId, method, r.paymentDetails(), savedId);

        long available = ledger.account(userId, AccountPurpose.OPERATOR_EARNINGS).credits();
        if (credits > available) {
            throw new CashoutsException(Reason.INSUFFICIENT_BALANCE, amountField + ": " + credits
                    + " credits requested but " + available + " are available", amountField);
        }
        UUID id = UUID.randomUUID();
        String code = code();
        Instant expires = clock.instant().plus(settings.codeValidity());
        repository.insert(new CashoutRepository.NewRow(id, userId, method, credits, usd, fee, usd.subtract(fee),
                config.currency(), encrypt(userId, details.details()), details.masked(), savedId, false, null,
                CashoutWorkflow.codeHash(id, code), expires, CashoutSource.EARN));
        Cashout c = repository.find(id, userId).orElseThrow().view();
        mail.enqueue(mails.confirmationCode(email(userId), c, code, settings.codeValidity()));
        workflow.audited(userId, c);
        return c;
    }

    /** The payment details given, or those of the caller's saved method, validated for {@code method}. */
    private PaymentDetails.Validated details(UUID userId, CashoutMethod method, @Nullable Map<String, String> given,
            @Nullable UUID savedId) {
        if ((given == null) == (savedId == null)) {
            throw new CashoutsException(Reason.VALIDATION,
                    "paymentDetails: give either paymentDetails or savedPaymentMethodId", "paymentDetails");
        }
        if (savedId != null) {
            PaymentMethodRepository.Row saved = paymentMethods.find(userId, savedId, false)
                    .orElseThrow(() -> new CashoutsException(Reason.PAYMENT_METHOD_NOT_FOUND,
                            "no saved payment method " + savedId, "savedPaymentMethodId"));
            if (saved.view().method() != method) {
                throw new CashoutsException(Reason.VALIDATION, "savedPaymentMethodId: a "
                        + saved.view().method().dbValue() + " method, not " + method.dbValue(), "savedPaymentMethodId");
            }
            return new PaymentDetails.Validated(decrypt(userId, saved.detailsEncrypted()), saved.view().details());
        } else {
            return PaymentDetails.validate(method, java.util.Objects.requireNonNull(given), "paymentDetails");
        }
    }

    @Override
    @Transactional
    public Cashout requestAffiliatePayout(UUID userId, String methodName, @Nullable BigDecimal amountEur,
            @Nullable Map<String, String> paymentDetails, @Nullable UUID savedPaymentMethodId) {
        CashoutMethod method = parseMethod(methodName, "method");
        MethodConfig config = activeConfig(method);
        if (amountEur == null) {
            throw new CashoutsException(Reason.VALIDATION, "amount: required (EUR)", "amount");
        }
        if (amountEur.signum() <= 0 || amountEur.stripTrailingZeros().scale() > 2) {
            throw new CashoutsException(Reason.VALIDATION, "amount: EUR " + amountEur.toPlainString()
                    + " (expected: > 0 with at most 2 decimals)", "amount");
        }
        BigDecimal eur = amountEur.setScale(2, RoundingMode.UNNECESSARY);
        PaymentDetails.Validated details = details(userId, method, paymentDetails, savedPaymentMethodId);
        BigDecimal available = ledger.account(userId, CashoutSource.AFFILIATE.available()).balance();
        if (eur.compareTo(available) > 0) {
            throw new CashoutsException(Reason.INSUFFICIENT_BALANCE, "amount: EUR " + eur.toPlainString()
                    + " requested but EUR " + available.setScale(2, RoundingMode.DOWN).toPlainString()
                    + " of commission is available", "amount");
        }
        UUID id = UUID.randomUUID();
        String code = code();
        Instant expires = clock.instant().plus(settings.codeValidity());
        // No method fee on affiliate payouts (docs/affiliates.md#payouts); cents fill amount_credits.
        repository.insert(new CashoutRepository.NewRow(id, userId, config.method(), eur.movePointRight(2).longValueExact(),
                eur, BigDecimal.ZERO.setScale(2), eur, "EUR", encrypt(userId, details.details()), details.masked(),
                savedPaymentMethodId, false, null, CashoutWorkflow.codeHash(id, code), expires, CashoutSource.AFFILIATE));
        Cashout c = repository.find(id, userId).orElseThrow().view();
        mail.enqueue(mails.confirmationCode(email(userId), c, code, settings.codeValidity()));
        workflow.audited(userId, c);
        return c;
    }

    @Override
    public Cashout confirm(UUID userId, UUID cashoutId, String code) {
        if (code.isBlank()) {
            throw new CashoutsException(Reason.VALIDATION, "code: required", "code");
        }
        switch (workflow.checkCode(userId, cashoutId, code)) {
            case WRONG -> throw new CashoutsException(Reason.INVALID_CODE,
                    "code: wrong confirmation code (" + workflow.attemptsLeft(cashoutId) + " attempts left)", "code");
            case EXPIRED -> throw new CashoutsException(Reason.CODE_EXPIRED,
                    "code: the confirmation code expired or was entered wrong too often; request the cash-out again",
                    "code");
            case OK -> {
                // go on
            }
        }
        CashoutMethod method = get(userId, cashoutId).method();
        return workflow.confirm(cashoutId, userId, repository.method(method).orElseThrow());
    }

    @Override
    public Cashout cancel(UUID userId, UUID cashoutId) {
        return workflow.cancel(userId, cashoutId);
    }

    @Override
    @Transactional(readOnly = true)
    public Cashout get(UUID userId, UUID cashoutId) {
        return repository.find(cashoutId, userId).map(CashoutRepository.Row::view)
                .orElseThrow(() -> new CashoutsException(Reason.NOT_FOUND, "no cash-out " + cashoutId, "id"));
    }

    @Override
    @Transactional(readOnly = true)
    public CashoutPage history(UUID userId, int page, int limit) {
        if (page < 1) {
            throw new CashoutsException(Reason.VALIDATION, "page: " + page + " (expected: >= 1)", "page");
        }
        if (limit < 1 || limit > 100) {
            throw new CashoutsException(Reason.VALIDATION, "limit: " + limit + " (expected: 1-100)", "limit");
        }
        return new CashoutPage(repository.history(userId, (page - 1) * limit, limit), page, limit,
                repository.count(userId));
    }

    @Override
    @Transactional(readOnly = true)
    public List<Cashout> queue(@Nullable CashoutStatus status, int limit) {
        if (limit < 1 || limit > 500) {
            throw new CashoutsException(Reason.VALIDATION, "limit: " + limit + " (expected: 1-500)", "limit");
        }
        return repository.queue(status, limit);
    }

    @Override
    public Cashout approve(UUID adminId, UUID cashoutId, @Nullable String note) {
        return workflow.review(adminId, cashoutId, true, note(note));
    }

    @Override
    public Cashout reject(UUID adminId, UUID cashoutId, @Nullable String note) {
        return workflow.review(adminId, cashoutId, false, note(note));
    }

    @Override
    public CashoutPaymentDetails paymentDetails(UUID adminId, boolean adminTwoFactor, UUID cashoutId) {
        if (!adminTwoFactor) {
            throw new CashoutsException(Reason.TWO_FACTOR_REQUIRED,
                    "payment details are shown only in a session signed in with two-factor authentication", null);
        }
        CashoutRepository.Row row = repository.find(cashoutId, null)
                .orElseThrow(() -> new CashoutsException(Reason.NOT_FOUND, "no cash-out " + cashoutId, "id"));
        Cashout c = row.view();
        if (!paidByHand(c)) {
            throw new CashoutsException(Reason.VALIDATION, "id: this cash-out is paid through the PayPal Payouts API, "
                    + "not by hand; its details stay encrypted", "id");
        }
        Map<String, String> details = decrypt(c.userId(), row.detailsEncrypted());
        Instant now = clock.instant();
        // Committed before the details leave: no view without its audit entry.
        tx.executeWithoutResult(status -> audit.record(new AuditEvent(adminId, AuditAction.CASHOUT_DETAILS_VIEWED,
                "cashout", c.id().toString(), Map.of("userId", c.userId().toString(), "method", c.method().dbValue(),
                        "status", c.status().dbValue(), "netAmountUsd", c.netAmountUsd().toPlainString()))));
        return new CashoutPaymentDetails(c.id(), c.userId(), c.method(), c.status(), c.netAmountUsd(), c.currency(),
                details, c.paymentDetails(), now);
    }

    @Override
    public boolean paidByHand(Cashout c) {
        return c.provider() != null ? PayoutProvider.MANUAL.equals(c.provider())
                : !providers.forMethod(c.method()).automatic();
    }

    @Override
    public Cashout complete(UUID adminId, UUID cashoutId, String paidReference) {
        String txId = paidReference.strip();
        if (txId.isEmpty() || txId.length() > 255) {
            throw new CashoutsException(Reason.VALIDATION,
                    "paidReference: the payment's reference is required, at most 255 characters", "paidReference");
        }
        Cashout c = repository.find(cashoutId, null).map(CashoutRepository.Row::view)
                .orElseThrow(() -> new CashoutsException(Reason.NOT_FOUND, "no cash-out " + cashoutId, "id"));
        if (PayoutProvider.PAYPAL.equals(c.provider())) {
            throw new CashoutsException(Reason.VALIDATION,
                    "paidReference: this cash-out is paid through PayPal and completes when PayPal reports it paid",
                    "paidReference");
        }
        return workflow.complete(adminId, cashoutId, txId, PayoutProvider.MANUAL);
    }

    @Override
    public Cashout resolveUnknownPayout(UUID adminId, UUID cashoutId, boolean paid, @Nullable String transactionId,
            @Nullable String note) {
        String txId = transactionId == null || transactionId.isBlank() ? null : transactionId.strip();
        if (paid && (txId == null || txId.length() > 255)) {
            throw new CashoutsException(Reason.VALIDATION,
                    "transactionId: required when the payout was made, at most 255 characters", "transactionId");
        }
        return workflow.resolveUnknown(adminId, cashoutId, paid, txId, note(note));
    }

    @Override
    @Transactional(readOnly = true)
    public List<SavedPaymentMethod> paymentMethods(UUID userId) {
        return paymentMethods.list(userId);
    }

    @Override
    @Transactional
    public SavedPaymentMethod addPaymentMethod(UUID userId, NewPaymentMethod m) {
        CashoutMethod method = parseMethod(m.method(), "method");
        String label = m.label() == null || m.label().isBlank() ? null : m.label().strip();
        if (label != null && label.length() > 100) {
            throw new CashoutsException(Reason.VALIDATION, "label: at most 100 characters", "label");
        }
        PaymentDetails.Validated details = PaymentDetails.validate(method, m.details(), "details");
        UUID id = UUID.randomUUID();
        String code = code();
        paymentMethods.insert(id, userId, method, label, encrypt(userId, details.details()), details.masked(),
                m.isDefault(), CashoutWorkflow.codeHash(id, code), clock.instant().plus(settings.codeValidity()));
        mail.enqueue(mails.paymentMethodCode(email(userId), details.masked(), code, settings.codeValidity()));
        return paymentMethods.find(userId, id, false).orElseThrow().view();
    }

    @Override
    public SavedPaymentMethod verifyPaymentMethod(UUID userId, UUID paymentMethodId, String code) {
        if (code.isBlank()) {
            throw new CashoutsException(Reason.VALIDATION, "code: required", "code");
        }
        // The failed attempt commits before the error is thrown, so guessing stays limited.
        Object outcome = tx.execute(status -> {
            PaymentMethodRepository.Row row = paymentMethods.find(userId, paymentMethodId, true)
                    .orElseThrow(() -> new CashoutsException(Reason.PAYMENT_METHOD_NOT_FOUND,
                            "no saved payment method " + paymentMethodId, "id"));
            if (row.view().verified()) {
                return row.view();
            }
            Instant expires = row.codeExpiresAt();
            if (row.codeHash() == null || expires == null || !clock.instant().isBefore(expires)
                    || row.codeAttempts() >= settings.maxCodeAttempts()) {
                return Reason.CODE_EXPIRED;
            }
            if (!row.codeHash().equals(CashoutWorkflow.codeHash(paymentMethodId, code))) {
                paymentMethods.codeAttemptFailed(paymentMethodId);
                return Reason.INVALID_CODE;
            }
            paymentMethods.verified(paymentMethodId);
            return paymentMethods.find(userId, paymentMethodId, false).orElseThrow().view();
        });
        if (outcome instanceof SavedPaymentMethod verified) {
            return verified;
        }
        throw outcome == Reason.INVALID_CODE
                ? new CashoutsException(Reason.INVALID_CODE, "code: wrong verification code", "code")
                : new CashoutsException(Reason.CODE_EXPIRED,
                        "code: the verification code expired or was entered wrong too often; save the method again",
                        "code");
    }

    @Override
    @Transactional
    public void deletePaymentMethod(UUID userId, UUID paymentMethodId) {
        if (!paymentMethods.delete(userId, paymentMethodId)) {
            throw new CashoutsException(Reason.PAYMENT_METHOD_NOT_FOUND, "no saved payment method " + paymentMethodId,
                    "id");
        }
    }

    @Override
    @Transactional(readOnly = true)
    public AutoCashoutSettings autoCashout(UUID userId) {
        return paymentMethods.autoCashout(userId)
                .orElse(new AutoCashoutSettings(false, DEFAULT_THRESHOLD_USD, null, null));
    }

    @Override
    @Transactional
    public AutoCashoutSettings configureAutoCashout(UUID userId, boolean enabled, BigDecimal thresholdUsd,
            @Nullable UUID paymentMethodId) {
        if (thresholdUsd.signum() <= 0 || thresholdUsd.stripTrailingZeros().scale() > 2) {
            throw new CashoutsException(Reason.VALIDATION,
                    "thresholdUsd: " + thresholdUsd.toPlainString() + " (expected: > 0, at most 2 decimals)",
                    "thresholdUsd");
        }
        if (enabled && paymentMethodId == null) {
            throw new CashoutsException(Reason.VALIDATION, "paymentMethodId: required to enable auto-cash-out",
                    "paymentMethodId");
        }
        if (paymentMethodId != null) {
            PaymentMethodRepository.Row pm = paymentMethods.find(userId, paymentMethodId, false)
                    .orElseThrow(() -> new CashoutsException(Reason.PAYMENT_METHOD_NOT_FOUND,
                            "no saved payment method " + paymentMethodId, "paymentMethodId"));
            if (enabled && !pm.view().verified()) {
                throw new CashoutsException(Reason.PAYMENT_METHOD_UNVERIFIED,
                        "paymentMethodId: verify the payment method with its e-mailed code first", "paymentMethodId");
            }
            MethodConfig config = repository.method(pm.view().method()).orElseThrow();
            if (enabled && thresholdUsd.compareTo(config.minAmountUsd()) < 0) {
                throw new CashoutsException(Reason.BELOW_MINIMUM, "thresholdUsd: " + thresholdUsd.toPlainString()
                        + " is below the " + config.method().dbValue() + " minimum of "
                        + config.minAmountUsd().toPlainString(), "thresholdUsd");
            }
        }
        paymentMethods.saveAutoCashout(userId, enabled, thresholdUsd.setScale(2, RoundingMode.UNNECESSARY),
                paymentMethodId);
        return autoCashout(userId);
    }

    /**
     * One user's auto-cash-out for {@code day} (UTC): when the available earnings reach the threshold,
     * a cash-out of all of them (whole cents) to the saved, verified method, confirmed at once (no
     * code: the method was verified by code when saved, and the user chose this in advance).
     * Idempotent per user and day through the unique {@code (user_id, auto_day)}.
     *
     * @return the new cash-out, or null when nothing was due (below threshold, already done today,
     *     method gone or unverified, method inactive or below its minimum)
     */
    @Transactional
    @Nullable Cashout autoCashout(PaymentMethodRepository.AutoRow auto, LocalDate day) {
        paymentMethods.lockAutoCashout(auto.userId());
        UUID pmId = auto.paymentMethodId();
        if (pmId == null) {
            return null;
        }
        PaymentMethodRepository.Row pm = paymentMethods.find(auto.userId(), pmId, false).orElse(null);
        if (pm == null || !pm.view().verified()) {
            return null;
        }
        MethodConfig config = repository.method(pm.view().method()).orElseThrow();
        long available = ledger.account(auto.userId(), AccountPurpose.OPERATOR_EARNINGS).credits();
        long credits = available - available % CREDITS_PER_CENT;
        BigDecimal usd = usd(credits);
        if (!config.active() || credits <= 0 || usd.compareTo(auto.thresholdUsd()) < 0
                || usd.compareTo(config.minAmountUsd()) < 0) {
            return null;
        }
        BigDecimal fee = config.feeFor(usd);
        if (usd.subtract(fee).signum() <= 0) {
            return null;
        }
        UUID id = UUID.randomUUID();
        boolean inserted = repository.insert(new CashoutRepository.NewRow(id, auto.userId(), config.method(), credits,
                usd, fee, usd.subtract(fee), config.currency(), pm.detailsEncrypted(), pm.view().details(), pmId,
                true, day, null, null, CashoutSource.EARN));
        if (!inserted) {
            return null;
        }
        workflow.audited(auto.userId(), repository.find(id, null).orElseThrow().view());
        Cashout c = workflow.confirm(id, null, config);
        paymentMethods.autoCashoutCreated(auto.userId());
        return c;
    }

    /** Exactly one of the amounts, as whole credits that are whole cents. */
    private static long credits(@Nullable BigDecimal amountUsd, @Nullable Long amountCredits) {
        if ((amountUsd == null) == (amountCredits == null)) {
            throw new CashoutsException(Reason.VALIDATION, "amountUsd: give either amountUsd or amountCredits",
                    "amountUsd");
        }
        if (amountUsd != null) {
            if (amountUsd.signum() <= 0 || amountUsd.stripTrailingZeros().scale() > 2) {
                throw new CashoutsException(Reason.VALIDATION, "amountUsd: " + amountUsd.toPlainString()
                        + " (expected: > 0 with at most 2 decimals)", "amountUsd");
            }
            return amountUsd.multiply(CREDITS_PER_USD).longValueExact();
        }
        long credits = java.util.Objects.requireNonNull(amountCredits);
        if (credits <= 0 || credits % CREDITS_PER_CENT != 0) {
            throw new CashoutsException(Reason.VALIDATION, "amountCredits: " + credits
                    + " (expected: > 0 and a multiple of 10, i.e. whole cents)", "amountCredits");
        }
        return credits;
    }

    private static BigDecimal usd(long credits) {
        return BigDecimal.valueOf(credits).multiply(LedgerCurrency.USD_PER_CREDIT).setScale(2, RoundingMode.UNNECESSARY);
    }

    /** Checks the minimum and that something is left after the fee; returns the fee. */
    private static BigDecimal checkAmount(MethodConfig config, BigDecimal usd, String field) {
        if (usd.compareTo(config.minAmountUsd()) < 0) {
            throw new CashoutsException(Reason.BELOW_MINIMUM, field + ": USD " + usd.toPlainString()
                    + " is below the " + config.method().dbValue() + " minimum of USD "
                    + config.minAmountUsd().toPlainString(), field);
        }
        BigDecimal fee = config.feeFor(usd);
        if (usd.subtract(fee).signum() <= 0) {
            throw new CashoutsException(Reason.BELOW_MINIMUM, field + ": USD " + usd.toPlainString()
                    + " does not cover the fee of USD " + fee.toPlainString(), field);
        }
        return fee;
    }

    private static CashoutMethod parseMethod(@Nullable String value, String field) {
        if (value == null || value.isBlank()) {
            throw new CashoutsException(Reason.VALIDATION, field + ": required", field);
        }
        return CashoutMethod.parse(value).orElseThrow(() -> new CashoutsException(Reason.VALIDATION,
                field + ": unknown method '" + value + "' (expected one of paypal, usdt, bitcoin, bank_transfer, "
                        + "amazon_gift_card, revolut)", field));
    }

    private MethodConfig activeConfig(CashoutMethod method) {
        MethodConfig config = repository.method(method).orElseThrow();
        if (!config.active()) {
            throw new CashoutsException(Reason.METHOD_UNAVAILABLE,
                    "method: " + method.dbValue() + " is not available at the moment", "method");
        }
        return config;
    }

    private static @Nullable String note(@Nullable String note) {
        if (note == null || note.isBlank()) {
            return null;
        }
        if (note.length() > 1000) {
            throw new CashoutsException(Reason.VALIDATION, "note: at most 1000 characters", "note");
        }
        return note.strip();
    }

    private static String code() {
        return String.format(java.util.Locale.ROOT, "%06d", RANDOM.nextInt(1_000_000));
    }

    private String email(UUID userId) {
        return accounts.find(userId).map(Account::email)
                .orElseThrow(() -> new CashoutsException(Reason.NOT_FOUND, "no such user", "userId"));
    }

    private String encrypt(UUID userId, Map<String, String> details) {
        return cipher.encrypt(json.writeValueAsString(new TreeMap<>(details)), userId.toString());
    }

    /** The payment details of a stored cash-out or saved method, decrypted. */
    Map<String, String> decrypt(UUID userId, String sealed) {
        return json.readValue(cipher.decrypt(sealed, userId.toString()), new TypeReference<Map<String, String>>() {});
    }
}
