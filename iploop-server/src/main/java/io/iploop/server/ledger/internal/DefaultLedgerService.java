package io.iploop.server.ledger.internal;

import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.ConsistencyReport;
import io.iploop.server.ledger.LedgerAccount;
import io.iploop.server.ledger.LedgerCurrency;
import io.iploop.server.ledger.LedgerException;
import io.iploop.server.ledger.LedgerException.Reason;
import io.iploop.server.ledger.LedgerPage;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.PostedTransaction;
import io.iploop.server.ledger.Posting;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Posts balanced transactions. The database is the last line of defence (entry trigger, zero-sum
 * constraint trigger, non-negative check, append-only triggers); this class checks the same rules
 * first so a caller gets an error that names what is wrong. Thread-safe.
 */
@Service
class DefaultLedgerService implements LedgerService {

    private static final String NON_NEGATIVE = "ledger_accounts_non_negative";

    private final LedgerRepository repository;
    private final Clock clock;

    DefaultLedgerService(LedgerRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    @Override
    @Transactional
    public LedgerAccount account(UUID ownerId, AccountPurpose purpose) {
        if (!purpose.owned()) {
            throw new IllegalArgumentException("purpose: " + purpose + " (expected: an owned purpose)");
        }
        return repository.getOrCreate(ownerId, purpose);
    }

    @Override
    @Transactional(readOnly = true)
    public Optional<LedgerAccount> findAccount(UUID ownerId, AccountPurpose purpose) {
        if (!purpose.owned()) {
            throw new IllegalArgumentException("purpose: " + purpose + " (expected: an owned purpose)");
        }
        return repository.findOwned(ownerId, purpose);
    }

    @Override
    @Transactional
    public LedgerAccount platformAccount(AccountPurpose purpose) {
        if (purpose.owned()) {
            throw new IllegalArgumentException("purpose: " + purpose + " (expected: a platform purpose)");
        }
        return repository.getOrCreate(null, purpose);
    }

    @Override
    @Transactional(readOnly = true)
    public Optional<LedgerAccount> find(UUID accountId) {
        return repository.find(accountId);
    }

    @Override
    @Transactional
    public PostedTransaction post(NewTransaction tx) {
        Map<UUID, LedgerCurrency> currencies = validate(tx);
        UUID id = UUID.randomUUID();
        if (!repository.insertTransaction(id, tx.kind(), tx.idempotencyKey(), tx.description(), tx.correctsId(),
                tx.createdBy(), tx.metadata())) {
            return replay(tx);
        }
        List<Posting> ordered = new ArrayList<>(tx.postings());
        ordered.sort(Comparator.comparing(Posting::accountId));
        try {
            for (Posting p : ordered) {
                repository.insertEntry(id, p.accountId(), currencies.get(p.accountId()), p.amount());
            }
        } catch (DataIntegrityViolationException e) {
            if (String.valueOf(e.getMessage()).contains(NON_NEGATIVE)) {
                throw new LedgerException(Reason.INSUFFICIENT_FUNDS,
                        "insufficient funds: the " + tx.kind() + " would take an account below zero", null);
            }
            throw e;
        }
        return new PostedTransaction(id, tx.kind(), tx.idempotencyKey(), tx.description(), tx.postings(),
                repository.createdAt(id), false);
    }

    private Map<UUID, LedgerCurrency> validate(NewTransaction tx) {
        if (tx.postings().size() < 2) {
            throw new LedgerException(Reason.UNBALANCED,
                    "postings: " + tx.postings().size() + " (expected: at least 2)", "postings");
        }
        List<UUID> ids = tx.postings().stream().map(Posting::accountId).distinct().toList();
        Map<UUID, LedgerCurrency> currencies = repository.currencies(ids);
        Map<LedgerCurrency, BigDecimal> sums = new EnumMap<>(LedgerCurrency.class);
        for (Posting p : tx.postings()) {
            LedgerCurrency currency = currencies.get(p.accountId());
            if (currency == null) {
                throw new LedgerException(Reason.UNKNOWN_ACCOUNT, "account " + p.accountId() + " does not exist",
                        "postings");
            }
            if (p.amount().signum() == 0) {
                throw new LedgerException(Reason.INVALID_AMOUNT, "amount: 0 (expected: non-zero)", "amount");
            }
            if (p.amount().stripTrailingZeros().scale() > currency.scale()) {
                throw new LedgerException(Reason.INVALID_AMOUNT, "amount: " + p.amount().toPlainString()
                        + " (expected: at most " + currency.scale() + " decimals for " + currency + ")", "amount");
            }
            sums.merge(currency, p.amount(), BigDecimal::add);
        }
        sums.forEach((currency, sum) -> {
            if (sum.signum() != 0) {
                throw new LedgerException(Reason.UNBALANCED,
                        "postings sum to " + sum.toPlainString() + " " + currency + " (expected: 0)", "postings");
            }
        });
        return currencies;
    }

    /** The key is taken: the first transaction stands if it is the same movement, else conflict. */
    private PostedTransaction replay(NewTransaction tx) {
        String key = java.util.Objects.requireNonNull(tx.idempotencyKey(), "only a keyed insert can conflict");
        LedgerRepository.StoredTransaction stored = repository.findByIdempotencyKey(key)
                .orElseThrow(() -> new IllegalStateException("idempotency key " + key + " vanished"));
        if (stored.kind() != tx.kind() || !samePostings(stored.postings(), tx.postings())) {
            throw new LedgerException(Reason.IDEMPOTENCY_CONFLICT,
                    "idempotency key " + key + " was already used for a different transaction", "idempotencyKey");
        }
        return new PostedTransaction(stored.id(), stored.kind(), stored.idempotencyKey(), stored.description(),
                stored.postings(), stored.createdAt(), true);
    }

    private static boolean samePostings(List<Posting> a, List<Posting> b) {
        return normalised(a).equals(normalised(b));
    }

    private static Map<UUID, BigDecimal> normalised(List<Posting> postings) {
        Map<UUID, BigDecimal> byAccount = new java.util.TreeMap<>();
        for (Posting p : postings) {
            byAccount.merge(p.accountId(), p.amount(), BigDecimal::add);
        }
        byAccount.replaceAll((k, v) -> v.stripTrailingZeros());
        return byAccount;
    }

    @Override
    @Transactional(readOnly = true)
    public Optional<PostedTransaction> findByIdempotencyKey(String idempotencyKey) {
        return repository.findByIdempotencyKey(idempotencyKey)
                .map(t -> new PostedTransaction(t.id(), t.kind(), t.idempotencyKey(), t.description(), t.postings(),
                        t.createdAt(), true));
    }

    @Override
    @Transactional(readOnly = true)
    public LedgerPage history(UUID accountId, int page, int limit) {
        if (page < 1) {
            throw new LedgerException(Reason.INVALID_AMOUNT, "page: " + page + " (expected: >= 1)", "page");
        }
        if (limit < 1 || limit > 100) {
            throw new LedgerException(Reason.INVALID_AMOUNT, "limit: " + limit + " (expected: 1-100)", "limit");
        }
        LedgerAccount account = repository.find(accountId)
                .orElseThrow(() -> new LedgerException(Reason.UNKNOWN_ACCOUNT, "no such ledger account", null));
        return new LedgerPage(repository.history(accountId, account.currency(), (page - 1) * limit, limit), page,
                limit, repository.countEntries(accountId));
    }

    @Override
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public ConsistencyReport checkConsistency() {
        return new ConsistencyReport(clock.instant(), repository.countAccounts(), repository.countTransactions(),
                repository.balanceMismatches(), repository.unbalancedTransactions(), repository.negativeBalances());
    }

    @Override
    @Transactional(readOnly = true)
    public BigDecimal movement(AccountPurpose purpose, Instant from, Instant to) {
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("to (" + to + ") must be after from (" + from + ")");
        }
        return repository.movement(purpose, from, to);
    }
}
