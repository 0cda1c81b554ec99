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
import io.iploop.server.campaigns.CampaignTopUpReversed;
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
import java.util.ArrayList;
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
 * it moves to {@code AFFILIATE_AVAILABLE}, from where the cash-outs feature pays it out. A refunded or
 * charged-back top-up takes its share of the commission back ({@link CampaignTopUpReversed}). Who referred
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
        // Self-dealing through a second account (docs/affiliates.md#self-dealing): checked at every top-up, so
        // evidence that appears after sign-up (a verified payment method saved later) stops later commissions.
        Optional<String> link = earn.linkBetween(affiliate, topUp.userId());
        if (link.isPresent()) {
            log.warn("no affiliate commission for top-up {}: referee {} is linked to affiliate {} ({})",
                    topUp.transactionId(), topUp.userId(), affiliate, link.get());
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

    /**
     * Releases what is left of one commission after reversals. An affiliate who owes reversed commission
     * (docs/affiliates.md#refunds-and-chargebacks) pays it back first: that part goes to
     * {@code AFFILIATE_CLAWBACK} instead of {@code AFFILIATE_AVAILABLE}.
     */
    private boolean release(UUID id, Instant now) {
        AffiliateRepository.Row c = repo.lockPending(id);
        if (c == null) {
            return false;
        }
        BigDecimal net = c.net();
        BigDecimal owed = balance(c.affiliateId(), AccountPurpose.AFFILIATE_CLAWBACK).negate().max(BigDecimal.ZERO);
        BigDecimal toDebt = net.min(owed);
        BigDecimal toAvailable = net.subtract(toDebt);
        List<Posting> postings = new ArrayList<>();
        postings.add(new Posting(ledger.account(c.affiliateId(), AccountPurpose.AFFILIATE_PENDING).id(), net.negate()));
        if (toAvailable.signum() > 0) {
            postings.add(new Posting(ledger.account(c.affiliateId(), AccountPurpose.AFFILIATE_AVAILABLE).id(), toAvailable));
        }
        if (toDebt.signum() > 0) {
            postings.add(new Posting(ledger.account(c.affiliateId(), AccountPurpose.AFFILIATE_CLAWBACK).id(), toDebt));
        }
        PostedTransaction posted = ledger.post(new NewTransaction(TransactionKind.AFFILIATE_COMMISSION_RELEASE,
                "affiliate-release:" + c.id(), toDebt.signum() > 0
                        ? "Affiliate commission after the holding period, EUR " + toDebt.toPlainString()
                                + " of it paying back reversed commission"
                        : "Affiliate commission available after the holding period",
                postings, null, null, Map.of("commissionId", c.id().toString())));
        repo.released(c.id(), posted.id(), now);
        return true;
    }

    /**
     * Takes back the affiliate's share of a refunded or charged-back top-up
     * (docs/affiliates.md#refunds-and-chargebacks), inside the reversal's database transaction. The share
     * is proportional to the refunded part of the top-up, computed on the running total (share after this
     * reversal minus what was reversed before), so a top-up refunded in full in several parts reverses
     * exactly its commission. Still pending: {@code AFFILIATE_PENDING} gives it back. Released: what is
     * still available gives it back, the rest becomes a debt on {@code AFFILIATE_CLAWBACK} (a payout in
     * flight or made is not touched). Idempotent by the reversal's transaction: the event is published once
     * per new reversal, and the ledger key stops a second posting.
     */
    @EventListener
    void on(CampaignTopUpReversed r) {
        AffiliateRepository.Row c = repo.lockByTopUp(r.topUpTransactionId());
        if (c == null || "reversed".equals(c.status())) {
            return;
        }
        BigDecimal after = c.amount().multiply(r.reversedBefore().add(r.amount()))
                .divide(r.topUpAmount(), 2, RoundingMode.HALF_UP).min(c.amount());
        BigDecimal share = after.subtract(c.reversedAmount());
        if (share.signum() <= 0) {
            return;
        }
        UUID affiliate = c.affiliateId();
        List<Posting> postings = new ArrayList<>();
        postings.add(new Posting(ledger.platformAccount(AccountPurpose.AFFILIATE_COMMISSIONS).id(), share));
        BigDecimal owed = BigDecimal.ZERO;
        if ("pending".equals(c.status())) {
            postings.add(new Posting(ledger.account(affiliate, AccountPurpose.AFFILIATE_PENDING).id(), share.negate()));
        } else {
            BigDecimal available = balance(affiliate, AccountPurpose.AFFILIATE_AVAILABLE).max(BigDecimal.ZERO);
            BigDecimal fromAvailable = share.min(available);
            owed = share.subtract(fromAvailable);
            if (fromAvailable.signum() > 0) {
                postings.add(new Posting(ledger.account(affiliate, AccountPurpose.AFFILIATE_AVAILABLE).id(),
                        fromAvailable.negate()));
            }
            if (owed.signum() > 0) {
                postings.add(new Posting(ledger.account(affiliate, AccountPurpose.AFFILIATE_CLAWBACK).id(), owed.negate()));
            }
        }
        PostedTransaction posted = ledger.post(new NewTransaction(TransactionKind.AFFILIATE_COMMISSION_REVERSAL,
                "affiliate-commission-reversal:" + r.transactionId(),
                "Affiliate commission reversed: the referred customer's top-up was refunded or charged back (EUR "
                        + r.amount().toPlainString() + " of " + r.topUpAmount().toPlainString() + ")",
                postings, c.pendingTransaction(), null, Map.of("commissionId", c.id().toString(),
                        "topUpReversalTransactionId", r.transactionId().toString(), "owed", owed.toPlainString())));
        if (!posted.replayed()) {
            repo.reversed(c.id(), share);
        }
        if (owed.signum() > 0) {
            log.warn("affiliate {} owes EUR {} of reversed commission {} (already paid out or in a payout); "
                    + "netted against future commissions", affiliate, owed.toPlainString(), c.id());
        }
    }

    @Override
    public AffiliateOverview overview(UUID userId) {
        ReferralCode code = earn.referralCode(userId);
        BigDecimal pending = balance(userId, AccountPurpose.AFFILIATE_PENDING);
        BigDecimal available = balance(userId, AccountPurpose.AFFILIATE_AVAILABLE);
        BigDecimal inPayout = balance(userId, AccountPurpose.AFFILIATE_PAYOUT_RESERVED);
        BigDecimal clawback = balance(userId, AccountPurpose.AFFILIATE_CLAWBACK); // 0 or negative: owed
        // What was granted (less reversals) and is no longer pending, available, reserved or owed left as
        // completed payouts.
        BigDecimal paid = repo.granted(userId).subtract(pending).subtract(available).subtract(inPayout).subtract(clawback);
        return new AffiliateOverview(code.code(), code.link(), repo.clicks(userId),
                earn.referralStats(userId).referredUsers(), pending, available, inPayout, paid, EUR,
                settings.commissionRate(), settings.holdingPeriod(), settings.minimumPayout(), clawback.negate());
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
                r.topUpAmount(), r.net(), r.currency(), r.status(), r.createdAt(), r.availableAt())).toList();
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
        // A debt from reversed commission is paid before anything else leaves (docs/affiliates.md#refunds-and-chargebacks).
        BigDecimal owed = balance(userId, AccountPurpose.AFFILIATE_CLAWBACK).negate();
        if (owed.signum() > 0 && amount.compareTo(balance(userId, AccountPurpose.AFFILIATE_AVAILABLE).subtract(owed)) > 0) {
            throw new AffiliatesException(Reason.OWED, "amount: EUR " + amount.toPlainString() + " is more than what is"
                    + " available beyond the EUR " + owed.setScale(2, RoundingMode.UP).toPlainString()
                    + " of reversed commission owed", "amount");
        }
        return cashouts.requestAffiliatePayout(userId, r.method(), amount, r.paymentDetails(), r.savedPaymentMethodId());
    }

    private String percent() {
        return settings.commissionRate().movePointRight(2).stripTrailingZeros().toPlainString() + " %";
    }
}
