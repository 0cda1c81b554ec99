package io.iploop.server.affiliates.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.affiliates.AffiliateCommission;
import io.iploop.server.affiliates.AffiliateOverview;
import io.iploop.server.affiliates.AffiliatePayoutRequest;
import io.iploop.server.affiliates.AffiliatesException;
import io.iploop.server.affiliates.AffiliatesException.Reason;
import io.iploop.server.affiliates.AffiliatesService;
import io.iploop.server.affiliates.CommissionPage;
import io.iploop.server.campaigns.CampaignWalletToppedUp;
import io.iploop.server.cashouts.Cashout;
import io.iploop.server.cashouts.CashoutsService;
import io.iploop.server.earn.EarnService;
import io.iploop.server.earn.ReferralCode;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerAccount;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.PostedTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import io.iploop.server.platform.EmailAddress;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@link AffiliatesService} on the ledger (docs/affiliates.md): a referred customer's campaign wallet
 * top-up grants the affiliate {@code rate} of it, rounded down to whole cents, as pending
 * ({@code AFFILIATE_COMMISSIONS} → the affiliate's {@code AFFILIATE_PENDING}); after the holding period
 * it moves to {@code AFFILIATE_AVAILABLE}, from where the cash-outs feature pays it out. Who referred
 * whom comes from the earn feature's sign-up record. Thread-safe.
 */
@Service
class DefaultAffiliatesService implements AffiliatesService {

    private static final Logger log = LoggerFactory.getLogger(DefaultAffiliatesService.class);
    private static final String EUR = "EUR";
    private static final int RELEASE_BATCH = 500;

    private final AffiliateRepository repo;
    private final EarnService earn;
    private final LedgerService ledger;
    private final CashoutsService cashouts;
    private final AccountsService accounts;
    private final AffiliatesSettings settings;
    private final Clock clock;
    private final TransactionTemplate tx;

    DefaultAffiliatesService(AffiliateRepository repo, EarnService earn, LedgerService ledger, CashoutsService cashouts,
            AccountsService accounts, AffiliatesSettings settings, Clock clock, PlatformTransactionManager txManager) {
        this.repo = repo;
        this.earn = earn;
        this.ledger = ledger;
        this.cashouts = cashouts;
        this.accounts = accounts;
        this.settings = settings;
        this.clock = clock;
        this.tx = new TransactionTemplate(txManager);
    }

    /**
     * The commission of {@code topUp} (docs/affiliates.md#rounding): {@code amount × rate} rounded down to
     * whole cents; zero when the product is below one cent.
     */
    static BigDecimal commissionOf(BigDecimal topUp, BigDecimal rate) {
        return topUp.multiply(rate).setScale(2, RoundingMode.DOWN);
    }

    /**
     * Grants the affiliate's commission on a top-up, inside the top-up's database transaction (the event
     * is published synchronously there), so both commit or neither. Idempotent by the top-up's ledger
     * transaction: a replayed event finds the ledger key and the unique row and posts nothing.
     */
    @EventListener
    void on(CampaignWalletToppedUp topUp) {
        Optional<UUID> found = earn.referrerOf(topUp.userId());
        if (found.isEmpty()) {
            return;
        }
        UUID affiliate = found.get();
        if (affiliate.equals(topUp.userId())) {
            log.warn("self-referral of {} ignored for top-up {}", affiliate, topUp.transactionId());
            return;
        }
        BigDecimal amount = commissionOf(topUp.amount(), settings.commissionRate());
        if (amount.signum() <= 0) {
            return;
        }
        Instant now = clock.instant();
        PostedTransaction posted = ledger.post(new NewTransaction(TransactionKind.AFFILIATE_COMMISSION,
                "affiliate-commission:" + topUp.transactionId(),
                "Affiliate commission: " + percent() + " of a referred customer's EUR " + topUp.amount().toPlainString()
                        + " top-up",
                List.of(new Posting(ledger.account(affiliate, AccountPurpose.AFFILIATE_PENDING).id(), amount),
                        new Posting(ledger.platformAccount(AccountPurpose.AFFILIATE_COMMISSIONS).id(), amount.negate())),
                null, null, Map.of("refereeId", topUp.userId().toString(), "topUpTransactionId",
                        topUp.transactionId().toString(), "topUpAmount", topUp.amount().toPlainString())));
        repo.insert(UUID.randomUUID(), affiliate, topUp.userId(), topUp.transactionId(), topUp.amount(), amount,
                now.plus(settings.holdingPeriod()), posted.id());
    }

    @Override
    public int releaseDue(Instant now) {
        int released = 0;
        for (UUID id : repo.due(now, RELEASE_BATCH)) {
            Boolean done = tx.execute(s -> release(id, now));
            if (Boolean.TRUE.equals(done)) {
                released++;
            }
        }
        return released;
    }

    private boolean release(UUID id, Instant now) {
        AffiliateRepository.Row c = repo.lockPending(id);
        if (c == null) {
            return false;
        }
        PostedTransaction posted = ledger.post(new NewTransaction(TransactionKind.AFFILIATE_COMMISSION_RELEASE,
                "affiliate-release:" + c.id(), "Affiliate commission available after the holding period",
                List.of(new Posting(ledger.account(c.affiliateId(), AccountPurpose.AFFILIATE_PENDING).id(), c.amount().negate()),
                        new Posting(ledger.account(c.affiliateId(), AccountPurpose.AFFILIATE_AVAILABLE).id(), c.amount())),
                null, null, Map.of("commissionId", c.id().toString())));
        repo.released(c.id(), posted.id(), now);
        return true;
    }

    @Override
    public AffiliateOverview overview(UUID userId) {
        ReferralCode code = earn.referralCode(userId);
        BigDecimal pending = balance(userId, AccountPurpose.AFFILIATE_PENDING);
        BigDecimal available = balance(userId, AccountPurpose.AFFILIATE_AVAILABLE);
        BigDecimal inPayout = balance(userId, AccountPurpose.AFFILIATE_PAYOUT_RESERVED);
        // What was granted and is no longer pending, available or reserved left as completed payouts.
        BigDecimal paid = repo.granted(userId).subtract(pending).subtract(available).subtract(inPayout);
        return new AffiliateOverview(code.code(), code.link(), repo.clicks(userId),
                earn.referralStats(userId).referredUsers(), pending, available, inPayout, paid, EUR,
                settings.commissionRate(), settings.holdingPeriod(), settings.minimumPayout());
    }

    private BigDecimal balance(UUID userId, AccountPurpose purpose) {
        return ledger.findAccount(userId, purpose).map(LedgerAccount::balance).orElse(BigDecimal.ZERO);
    }

    @Override
    public CommissionPage commissions(UUID userId, int page, int limit) {
        if (page < 1) {
            throw new AffiliatesException(Reason.INVALID, "page: " + page + " (expected: >= 1)", "page");
        }
        if (limit < 1 || limit > 100) {
            throw new AffiliatesException(Reason.INVALID, "limit: " + limit + " (expected: 1 to 100)", "limit");
        }
        List<AffiliateRepository.Row> rows = repo.page(userId, (page - 1) * limit, limit);
        Map<UUID, String> names = new HashMap<>();
        List<AffiliateCommission> items = rows.stream().map(r -> new AffiliateCommission(r.id(),
                names.computeIfAbsent(r.refereeId(), id -> accounts.find(id).map(Account::email).map(EmailAddress::mask)
                        .orElse("***")),
                r.topUpAmount(), r.amount(), r.currency(), r.status(), r.createdAt(), r.availableAt())).toList();
        return new CommissionPage(items, page, limit, repo.count(userId));
    }

    @Override
    public Cashout requestPayout(UUID userId, AffiliatePayoutRequest r) {
        if (r.method() == null || r.method().isBlank()) {
            throw new AffiliatesException(Reason.INVALID, "method: required (e.g. bank_transfer)", "method");
        }
        BigDecimal amount = r.amount();
        if (amount == null) {
            throw new AffiliatesException(Reason.INVALID, "amount: required (EUR)", "amount");
        }
        if (amount.compareTo(settings.minimumPayout()) < 0) {
            throw new AffiliatesException(Reason.BELOW_MINIMUM, "amount: EUR " + amount.toPlainString()
                    + " is below the minimum payout of EUR " + settings.minimumPayout().toPlainString(), "amount");
        }
        return cashouts.requestAffiliatePayout(userId, r.method(), amount, r.paymentDetails(), r.savedPaymentMethodId());
    }

    private String percent() {
        return settings.commissionRate().movePointRight(2).stripTrailingZeros().toPlainString() + " %";
    }
}
