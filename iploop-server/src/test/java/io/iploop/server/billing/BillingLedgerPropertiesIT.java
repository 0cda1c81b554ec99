package io.iploop.server.billing;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.accounts.UserRole;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.PostedTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Subscription;
import io.iploop.server.testing.VatPlatformTest;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestContextManager;

/**
 * Property: whatever sequence of purchases, payments, usage, refunds, chargebacks, plan renewals and
 * replays happens to three buyers (a German consumer taxed 19 %, a French business under reverse
 * charge, a US buyer without VAT) on the VAT-registered platform, after every step every ledger
 * transaction of the sequence balances, no customer's credits are negative, what customers paid
 * minus what was refunded equals the revenue the finance report shows (and VAT_PAYABLE its tax),
 * each invoice's total is subtotal + tax and covers its credit notes, and a replayed payment or
 * refund moves nothing. The whole ledger is checked for consistency at the end of each sequence.
 *
 * <p>Driven like {@code CashoutLedgerPropertiesIT}: jqwik runs no Spring extension, so Spring's
 * {@link TestContextManager} prepares the instance and finds the {@link VatPlatformTest} context
 * already cached by the other billing ITs. Real services on the embedded PostgreSQL; fresh buyers per
 * try. Credit spending is not built yet, so usage is a ledger posting taking credits to another
 * account, and for GB packages a reduced plan balance.
 */
@VatPlatformTest
class BillingLedgerPropertiesIT {

    private static final TestContextManager SPRING = new TestContextManager(BillingLedgerPropertiesIT.class);
    private static final Instant EVER_FROM = Instant.parse("2000-01-01T00:00:00Z");
    private static final Instant EVER_TO = Instant.parse("2100-01-01T00:00:00Z");
    private static final List<String> PACKAGES = List.of("credits-5", "credits-25", "credits-100", "gb-5");
    private static final Set<BillingException.Reason> EXPECTED_REFUSALS = Set.of(BillingException.Reason.INVOICE_NOT_PAID,
            BillingException.Reason.REFUND_EXCEEDS_PAID, BillingException.Reason.REFUND_EXCEEDS_UNSPENT,
            BillingException.Reason.INVOICE_NOT_OPEN);
    private static UUID admin;

    /** The buyer of each invoice of the current try. */
    private final Map<UUID, UUID> owners = new HashMap<>();

    @Autowired
    BillingService billing;
    @Autowired
    FinanceService finance;
    @Autowired
    LedgerService ledger;
    @Autowired
    PlansService plans;
    @Autowired
    AccountsService accounts;

    @BeforeProperty
    void wireSpring() throws Exception {
        SPRING.prepareTestInstance(this);
        if (admin == null) {
            admin = newUser(UserRole.ADMIN);
        }
    }

    sealed interface Action permits Purchase, Pay, Use, Refund, Chargeback, Renew, Replay {}

    record Purchase(int buyer, int pkg) implements Action {}

    record Pay(int target) implements Action {}

    /** Spends {@code percent} of the buyer's credits or GB. */
    record Use(int buyer, int percent) implements Action {}

    /** Refunds {@code percent} of what is left of an invoice (at least 1 cent). */
    record Refund(int target, int percent) implements Action {}

    record Chargeback(int target, int percent) implements Action {}

    /** A plan assignment or renewal: the buyer moves to Starter or Growth. */
    record Renew(int buyer, boolean growth) implements Action {}

    /** Replays the last payment and the last refund with their idempotency keys. */
    record Replay() implements Action {}

    @Provide
    Arbitrary<List<Action>> sequences() {
        Arbitrary<Integer> buyer = Arbitraries.integers().between(0, 2);
        Arbitrary<Integer> target = Arbitraries.integers().between(0, 5);
        Arbitrary<Integer> percent = Arbitraries.integers().between(1, 100);
        Arbitrary<Action> action = Arbitraries.frequencyOf(
                Tuple.of(4, Combinators.combine(buyer, Arbitraries.integers().between(0, PACKAGES.size() - 1))
                        .as(Purchase::new)),
                Tuple.of(4, target.map(Pay::new)),
                Tuple.of(2, Combinators.combine(buyer, percent).as(Use::new)),
                Tuple.of(3, Combinators.combine(target, percent).as(Refund::new)),
                Tuple.of(1, Combinators.combine(target, percent).as(Chargeback::new)),
                Tuple.of(1, Combinators.combine(buyer, Arbitraries.of(true, false)).as(Renew::new)),
                Tuple.of(1, Arbitraries.just(new Replay())));
        return action.list().ofMinSize(3).ofMaxSize(12);
    }

    @Property(tries = 200)
    void moneyStaysBalancedAndTheFinanceReportMatchesTheLedger(@ForAll("sequences") List<Action> actions) {
        List<UUID> buyers = List.of(buyer("DE", null), buyer("FR", "FR40303265045"), buyer("US", null));
        List<UUID> invoices = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        String lastPayment = null;
        String[] lastRefund = null;
        BigDecimal paymentsBefore = ledger.platformAccount(AccountPurpose.CUSTOMER_PAYMENTS).balance();
        BigDecimal vatBefore = ledger.platformAccount(AccountPurpose.VAT_PAYABLE).balance();
        RevenueReport.Row revenueBefore = finance.revenue(EVER_FROM, EVER_TO, RevenueGrouping.DAY).total();
        int step = 0;
        for (Action a : actions) {
            step++;
            try {
                switch (a) {
                    case Purchase p -> {
                        UUID owner = buyers.get(p.buyer());
                        UUID id = billing.requestTopUp(owner, PACKAGES.get(p.pkg())).id();
                        owners.put(id, owner);
                        invoices.add(id);
                    }
                    case Pay p -> {
                        if (!invoices.isEmpty()) {
                            UUID id = invoices.get(p.target() % invoices.size());
                            billing.markPaid(admin, id, "wire-" + step);
                            lastPayment = id.toString();
                            keys.add("invoice:" + id + ":paid");
                        }
                    }
                    case Use u -> use(buyers.get(u.buyer()), u.percent(), step);
                    case Refund r -> {
                        if (!invoices.isEmpty()) {
                            Invoice i = invoice(invoices.get(r.target() % invoices.size()));
                            long amount = Math.max(1, i.refundableCents() * r.percent() / 100);
                            String key = "prop-" + UUID.randomUUID();
                            CreditNote note = billing.refund(admin, i.id(), amount, "property test", key);
                            lastRefund = new String[] {i.id().toString(), Long.toString(amount), key};
                            keys.add(note.idempotencyKey());
                        }
                    }
                    case Chargeback c -> {
                        if (!invoices.isEmpty()) {
                            Invoice i = invoice(invoices.get(c.target() % invoices.size()));
                            long amount = Math.max(1, i.refundableCents() * c.percent() / 100);
                            keys.add(billing.recordChargeback(i.id(), amount, "dispute", "dp-" + UUID.randomUUID())
                                    .idempotencyKey());
                        }
                    }
                    case Renew r -> plans.changePlan(admin, buyers.get(r.buyer()), r.growth() ? "growth" : "starter");
                    case Replay ignored -> {
                        BigDecimal before = ledger.platformAccount(AccountPurpose.CUSTOMER_PAYMENTS).balance();
                        List<BigDecimal> credits = buyers.stream().map(this::credits).toList();
                        if (lastPayment != null) {
                            billing.markPaid(admin, UUID.fromString(lastPayment), "replay");
                        }
                        if (lastRefund != null) {
                            billing.refund(admin, UUID.fromString(lastRefund[0]), Long.parseLong(lastRefund[1]),
                                    "property test", lastRefund[2]);
                        }
                        assertThat(ledger.platformAccount(AccountPurpose.CUSTOMER_PAYMENTS).balance())
                                .as("step %d: a replay moves no money", step).isEqualByComparingTo(before);
                        assertThat(buyers.stream().map(this::credits).toList()).as("step %d: replay", step)
                                .usingElementComparator(BigDecimal::compareTo).isEqualTo(credits);
                    }
                }
            } catch (BillingException e) {
                assertThat(EXPECTED_REFUSALS).as("step %d %s: %s", step, a, e.getMessage()).contains(e.reason());
            }
            checkInvariants(step, buyers, invoices, keys, paymentsBefore, vatBefore, revenueBefore);
        }
        assertThat(ledger.checkConsistency().consistent()).as("ledger consistent after %s", actions).isTrue();
    }

    private void checkInvariants(int step, List<UUID> buyers, List<UUID> invoices, List<String> keys,
            BigDecimal paymentsBefore, BigDecimal vatBefore, RevenueReport.Row revenueBefore) {
        for (String key : keys) {
            PostedTransaction tx = ledger.findByIdempotencyKey(key).orElseThrow(() -> new AssertionError(key));
            assertThat(tx.postings().stream().map(Posting::amount).reduce(BigDecimal.ZERO, BigDecimal::add))
                    .as("step %d: %s balances", step, key).isEqualByComparingTo(BigDecimal.ZERO);
        }
        for (UUID b : buyers) {
            assertThat(credits(b)).as("step %d: credits of %s", step, b).isGreaterThanOrEqualTo(BigDecimal.ZERO);
        }
        RevenueReport.Row revenue = finance.revenue(EVER_FROM, EVER_TO, RevenueGrouping.DAY).total();
        BigDecimal paidIn = paymentsBefore.subtract(ledger.platformAccount(AccountPurpose.CUSTOMER_PAYMENTS).balance());
        long reportedIn = (revenue.paidCents() - revenue.refundedCents())
                - (revenueBefore.paidCents() - revenueBefore.refundedCents());
        assertThat(paidIn).as("step %d: payments minus refunds = reported revenue", step)
                .isEqualByComparingTo(BigDecimal.valueOf(reportedIn, 2));
        assertThat(ledger.platformAccount(AccountPurpose.VAT_PAYABLE).balance().subtract(vatBefore))
                .as("step %d: VAT payable = reported tax", step)
                .isEqualByComparingTo(BigDecimal.valueOf(revenue.taxCents() - revenueBefore.taxCents(), 2));
        for (UUID id : invoices) {
            Invoice i = invoice(id);
            assertThat(i.totalCents()).as("step %d: %s total", step, i.number()).isEqualTo(i.subtotalCents() + i.taxCents());
            List<CreditNote> notes = billing.invoiceCreditNotes(id);
            assertThat(notes.stream().mapToLong(CreditNote::amountCents).sum()).isEqualTo(i.refundedCents());
            assertThat(notes.stream().mapToLong(CreditNote::taxCents).sum()).isLessThanOrEqualTo(i.taxCents());
            assertThat(i.refundedCents()).isBetween(0L, i.totalCents());
            if (i.refundedCents() == i.totalCents()) {
                assertThat(notes.stream().mapToLong(CreditNote::taxCents).sum())
                        .as("step %d: a fully refunded invoice refunds all its tax", step).isEqualTo(i.taxCents());
            }
        }
    }

    private void use(UUID buyer, int percent, int step) {
        BigDecimal credits = credits(buyer);
        BigDecimal spend = credits.multiply(BigDecimal.valueOf(percent)).divide(BigDecimal.valueOf(100), 6,
                RoundingMode.DOWN);
        if (spend.signum() > 0) {
            ledger.post(NewTransaction.of(TransactionKind.ADJUSTMENT, "prop-use:" + buyer + ":" + step, "usage",
                    new Posting(ledger.account(buyer, AccountPurpose.CUSTOMER_CREDITS).id(), spend.negate()),
                    new Posting(ledger.platformAccount(AccountPurpose.CREDIT_BONUSES).id(), spend)));
        }
        Subscription sub = plans.current(buyer).orElse(null);
        if (sub != null) {
            BigDecimal gb = sub.gbBalance().multiply(BigDecimal.valueOf(percent)).divide(BigDecimal.valueOf(100), 6,
                    RoundingMode.DOWN);
            if (gb.signum() > 0) {
                plans.addBalance(admin, buyer, gb.negate(), "usage in a property test");
            }
        }
    }

    private Invoice invoice(UUID id) {
        return billing.invoice(owners.get(id), id);
    }

    private BigDecimal credits(UUID user) {
        return ledger.account(user, AccountPurpose.CUSTOMER_CREDITS).balance();
    }

    private UUID buyer(String country, String vatId) {
        UUID id = newUser(UserRole.CUSTOMER);
        billing.updateBillingDetails(id, new BillingDetails(country, vatId, null, null));
        return id;
    }

    private UUID newUser(UserRole role) {
        String email = "prop-" + UUID.randomUUID() + "@example.com";
        return accounts.create(new NewAccount(email, "correct horse", "Pro", "Perty", null, role, false)).id();
    }
}
