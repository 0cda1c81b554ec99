package io.iploop.server.campaigns.internal;

import io.iploop.server.campaigns.CampaignPricing;
import io.iploop.server.campaigns.CampaignTopUpReversed;
import io.iploop.server.campaigns.CampaignWalletService;
import io.iploop.server.campaigns.CampaignWalletToppedUp;
import io.iploop.server.campaigns.CampaignsException;
import io.iploop.server.campaigns.CampaignsException.Reason;
import io.iploop.server.campaigns.Project;
import io.iploop.server.campaigns.WalletCredit;
import io.iploop.server.campaigns.WalletReversal;
import io.iploop.server.campaigns.WalletSpend;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerAccount;
import io.iploop.server.ledger.LedgerCurrency;
import io.iploop.server.ledger.LedgerException;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.PostedTransaction;
import io.iploop.server.ledger.TransactionKind;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@link CampaignWalletService} on the ledger (docs/campaigns.md#wallet): a top-up moves EUR from
 * {@code CAMPAIGN_PAYMENTS} to the customer's {@code CAMPAIGN_WALLET}; a spend from the wallet to
 * {@code CAMPAIGN_REVENUE}. The ledger's idempotency keys make replays and races move money once, and
 * its non-negative check refuses an overdraft atomically. A new top-up publishes
 * {@link CampaignWalletToppedUp} inside its transaction; a refund or chargeback of one posts a
 * correcting {@code CAMPAIGN_TOP_UP_REVERSAL} and publishes {@link CampaignTopUpReversed}
 * (docs/campaigns.md#refunds-and-chargebacks). Thread-safe.
 */
@Service
class DefaultCampaignWalletService implements CampaignWalletService {

    private final LedgerService ledger;
    private final ProjectRepository projects;
    private final TransactionTemplate ownTx;
    private final TransactionTemplate joinedTx;
    private final ApplicationEventPublisher events;

    private final TopUpReversalRepository reversals;

    DefaultCampaignWalletService(LedgerService ledger, ProjectRepository projects, PlatformTransactionManager txManager,
            ApplicationEventPublisher events, TopUpReversalRepository reversals) {
        this.reversals = reversals;
        this.ledger = ledger;
        this.projects = projects;
        this.ownTx = new TransactionTemplate(txManager);
        this.ownTx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.joinedTx = new TransactionTemplate(txManager);
        this.events = events;
    }

    @Override
    public BigDecimal balance(UUID userId) {
        return ledger.findAccount(userId, AccountPurpose.CAMPAIGN_WALLET).map(LedgerAccount::balance)
                .orElse(BigDecimal.ZERO);
    }

    @Override
    public WalletCredit credit(UUID userId, BigDecimal amount, String idempotencyKey, String description,
            Map<String, String> metadata) {
        if (amount.signum() <= 0 || amount.stripTrailingZeros().scale() > LedgerCurrency.EUR.scale()) {
            throw new CampaignsException(Reason.INVALID, "amount must be more than 0 EUR with at most "
                    + LedgerCurrency.EUR.scale() + " decimals", "amount");
        }
        PostedTransaction t = joinedTx.execute(s -> {
            UUID wallet = ledger.account(userId, AccountPurpose.CAMPAIGN_WALLET).id();
            UUID payments = ledger.platformAccount(AccountPurpose.CAMPAIGN_PAYMENTS).id();
            PostedTransaction posted = ledger.post(NewTransaction.of(TransactionKind.CAMPAIGN_TOP_UP, idempotencyKey,
                    description, new Posting(wallet, amount), new Posting(payments, amount.negate())).withMetadata(metadata));
            if (!posted.replayed()) {
                events.publishEvent(new CampaignWalletToppedUp(userId, posted.id(), amount, idempotencyKey));
            }
            return posted;
        });
        if (t == null) {
            throw new IllegalStateException("ledger posting returned nothing");
        }
        return new WalletCredit(t.id(), amount, balance(userId), t.replayed());
    }

    @Override
    public WalletSpend spend(UUID projectId, long visits, BigDecimal rate, String idempotencyKey) {
        if (visits < 1) {
            throw new CampaignsException(Reason.INVALID, "visits must be at least 1", "visits");
        }
        if (rate.signum() <= 0) {
            throw new CampaignsException(Reason.INVALID, "rate must be more than 0 EUR per 1,000 visits", "rate");
        }
        Project project = projects.findById(projectId).orElseThrow(
                () -> new CampaignsException(Reason.PROJECT_NOT_FOUND, "no such project", "projectId"));
        BigDecimal amount = CampaignPricing.priceOf(visits, rate);
        if (amount.scale() > LedgerCurrency.EUR.scale()) {
            throw new CampaignsException(Reason.INVALID, "rate has too many decimals for a EUR amount", "rate");
        }
        UUID owner = project.userId();
        try {
            PostedTransaction t = ownTx.execute(s -> {
                UUID wallet = ledger.account(owner, AccountPurpose.CAMPAIGN_WALLET).id();
                UUID revenue = ledger.platformAccount(AccountPurpose.CAMPAIGN_REVENUE).id();
                return ledger.post(NewTransaction.of(TransactionKind.CAMPAIGN_SPEND, idempotencyKey,
                        visits + " visits of \"" + project.name() + "\" at EUR " + rate.toPlainString() + " per 1,000",
                        new Posting(wallet, amount.negate()), new Posting(revenue, amount))
                        .withMetadata(Map.of("projectId", projectId.toString(), "visits", Long.toString(visits),
                                "rate", rate.toPlainString())));
            });
            if (t == null) {
                throw new IllegalStateException("ledger posting returned nothing");
            }
            return new WalletSpend(true, amount, balance(owner), t.id(), t.replayed());
        } catch (LedgerException e) {
            if (e.reason() == LedgerException.Reason.INSUFFICIENT_FUNDS) {
                return new WalletSpend(false, amount, balance(owner), null, false);
            }
            throw e;
        }
    }

    @Override
    public WalletReversal reverse(String topUpKey, BigDecimal amount, String reversalKey, boolean refuseIfSpent,
            String description, Map<String, String> metadata) {
        if (amount.signum() <= 0 || amount.stripTrailingZeros().scale() > LedgerCurrency.EUR.scale()) {
            throw new CampaignsException(Reason.INVALID, "amount: " + amount.toPlainString()
                    + " (expected: more than 0 EUR with at most " + LedgerCurrency.EUR.scale() + " decimals)", "amount");
        }
        if (reversalKey.isBlank() || reversalKey.length() > 200) {
            throw new CampaignsException(Reason.INVALID, "reversalKey: " + reversalKey.length()
                    + " characters (expected: 1-200)", "reversalKey");
        }
        WalletReversal r = joinedTx.execute(s -> {
            PostedTransaction topUp = ledger.findByIdempotencyKey(topUpKey)
                    .filter(t -> t.kind() == TransactionKind.CAMPAIGN_TOP_UP)
                    .orElseThrow(() -> new CampaignsException(Reason.TOP_UP_NOT_FOUND,
                            "no campaign wallet top-up has the key " + topUpKey, "topUpKey"));
            LedgerAccount wallet = topUp.postings().stream().filter(p -> p.amount().signum() > 0)
                    .map(p -> ledger.find(p.accountId()).orElseThrow())
                    .filter(a -> a.purpose() == AccountPurpose.CAMPAIGN_WALLET).findFirst()
                    .orElseThrow(() -> new IllegalStateException("top-up " + topUp.id() + " credits no campaign wallet"));
            UUID owner = java.util.Objects.requireNonNull(wallet.ownerId(), "a campaign wallet has an owner");
            BigDecimal topUpAmount = topUp.postings().stream().filter(p -> p.accountId().equals(wallet.id()))
                    .map(io.iploop.server.ledger.Posting::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
            // One refund of a top-up at a time: each sees what the ones before it took.
            reversals.lockTopUp(topUp.id());
            var earlier = reversals.find(reversalKey);
            if (earlier.isPresent()) {
                var e = earlier.get();
                return new WalletReversal(e.transactionId(), e.userId(), e.amount(), e.taken(), e.lost(), balance(owner),
                        true);
            }
            BigDecimal before = reversals.reversed(topUp.id());
            BigDecimal left = topUpAmount.subtract(before);
            BigDecimal take = amount.min(left);
            if (take.signum() <= 0) {
                return new WalletReversal(null, owner, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
                        balance(owner), false);
            }
            // Locked by the posting below; read here to split what the wallet still holds from what was spent.
            BigDecimal unspent = ledger.find(wallet.id()).orElseThrow().balance().max(BigDecimal.ZERO);
            BigDecimal taken = take.min(unspent);
            BigDecimal lost = take.subtract(taken);
            if (lost.signum() > 0 && refuseIfSpent) {
                throw new CampaignsException(Reason.REVERSAL_EXCEEDS_UNSPENT, "amount: taking back EUR "
                        + take.toPlainString() + " needs more than the EUR " + unspent.toPlainString()
                        + " the campaign wallet still holds (the customer spent the rest)", "amount");
            }
            List<Posting> postings = new java.util.ArrayList<>();
            postings.add(new Posting(ledger.platformAccount(AccountPurpose.CAMPAIGN_PAYMENTS).id(), take));
            if (taken.signum() > 0) {
                postings.add(new Posting(wallet.id(), taken.negate()));
            }
            if (lost.signum() > 0) {
                postings.add(new Posting(ledger.platformAccount(AccountPurpose.CAMPAIGN_CHARGEBACK_LOSSES).id(),
                        lost.negate()));
            }
            Map<String, String> meta = new HashMap<>(metadata);
            meta.put("topUpTransactionId", topUp.id().toString());
            if (lost.signum() > 0) {
                meta.put("lost", lost.toPlainString());
            }
            PostedTransaction posted = ledger.post(new NewTransaction(TransactionKind.CAMPAIGN_TOP_UP_REVERSAL,
                    reversalKey, description, postings, topUp.id(), null, meta));
            reversals.insert(new TopUpReversalRepository.Row(reversalKey, topUp.id(), owner, take, taken, lost,
                    posted.id()));
            if (!posted.replayed()) {
                events.publishEvent(new CampaignTopUpReversed(owner, topUp.id(), topUpAmount, before, take, posted.id()));
            }
            return new WalletReversal(posted.id(), owner, take, taken, lost, balance(owner), posted.replayed());
        });
        if (r == null) {
            throw new IllegalStateException("reversal returned nothing");
        }
        return r;
    }
}
