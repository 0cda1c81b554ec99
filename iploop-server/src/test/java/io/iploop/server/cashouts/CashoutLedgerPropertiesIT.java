package io.iploop.server.cashouts;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.accounts.UserRole;
import io.iploop.server.cashouts.Cashout;
import io.iploop.server.cashouts.CashoutStatus;
import io.iploop.server.cashouts.CashoutsException;
import io.iploop.server.cashouts.CashoutsService;
import io.iploop.server.cashouts.NewCashout;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.ConsistencyReport;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import io.iploop.server.testing.PlatformTest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestContextManager;

/**
 * Property: whatever sequence of credits, cash-out requests, confirmations, cancellations,
 * rejections, approvals and completions happens, the ledger stays consistent (every balance equals
 * the sum of its entries, no earnings or reservation below zero) and every credit issued is in
 * exactly one place: available earnings, reserved for a cash-out in flight, or paid out.
 *
 * <p>jqwik does not run Spring's JUnit Jupiter extension, so this class drives Spring's
 * {@link TestContextManager} itself before each property. It is a {@link PlatformTest}, so
 * its configuration is the shared one and the manager finds the context the other ITs already
 * started in this JVM (Spring's static context cache) instead of starting a second server; the
 * services are then the real ones on the real embedded PostgreSQL with its Flyway schema. Wiring
 * the services by hand on a separate database would have needed the package-private
 * implementations of two features. Each try uses fresh users, so tries are independent and a
 * shrunk sequence replays cleanly.
 */
@PlatformTest
class CashoutLedgerPropertiesIT {

    private static final net.jqwik.api.RandomDistribution UNIFORM = net.jqwik.api.RandomDistribution.uniform();
    private static final TestContextManager SPRING = new TestContextManager(CashoutLedgerPropertiesIT.class);
    private static final Pattern CODE = Pattern.compile("code: (\\d{6})");
    private static final Set<CashoutStatus> IN_FLIGHT = EnumSet.of(CashoutStatus.PENDING, CashoutStatus.APPROVED,
            CashoutStatus.PROCESSING);
    private static UUID admin;

    @Autowired
    CashoutsService cashouts;

    @Autowired
    LedgerService ledger;

    @Autowired
    AccountsService accounts;

    @Autowired
    JdbcClient jdbc;

    @BeforeProperty
    void wireSpring() throws Exception {
        SPRING.prepareTestInstance(this);
        if (admin == null) {
            admin = newUser(UserRole.ADMIN);
        }
    }

    /** One step of a sequence; {@code user} and {@code target} are indexes taken modulo what exists. */
    sealed interface Action permits Credit, Request, Confirm, Cancel, Approve, Reject, Complete {}

    record Credit(int user, long credits) implements Action {}

    record Request(int user, long credits, boolean confirm) implements Action {}

    record Confirm(int target) implements Action {}

    record Cancel(int target) implements Action {}

    record Approve(int target) implements Action {}

    record Reject(int target) implements Action {}

    record Complete(int target) implements Action {}

    @Provide
    Arbitrary<List<Action>> sequences() {
        Arbitrary<Integer> user = Arbitraries.integers().between(0, 1);
        Arbitrary<Integer> target = Arbitraries.integers().between(0, 1);
        // Weighted so that most sequences get credits, reserve them and then release or pay them out.
        Arbitrary<Action> action = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, net.jqwik.api.Combinators.combine(user, Arbitraries.longs().between(1_000, 40_000).withDistribution(UNIFORM))
                        .as(Credit::new)),
                net.jqwik.api.Tuple.of(6, net.jqwik.api.Combinators.combine(user,
                        Arbitraries.longs().between(500, 1_200).withDistribution(UNIFORM).map(c -> c * 10), Arbitraries.of(true, true, true, true, false))
                        .as(Request::new)),
                net.jqwik.api.Tuple.of(1, target.map(Confirm::new)),
                net.jqwik.api.Tuple.of(1, target.map(Cancel::new)),
                net.jqwik.api.Tuple.of(4, target.map(Approve::new)),
                net.jqwik.api.Tuple.of(1, target.map(Reject::new)),
                net.jqwik.api.Tuple.of(4, target.map(Complete::new)));
        // Operators usually have earned something before they cash out.
        Arbitrary<Action> head = net.jqwik.api.Combinators.combine(user,
                Arbitraries.longs().between(5_000, 40_000).withDistribution(UNIFORM)).as(Credit::new);
        return net.jqwik.api.Combinators.combine(head, action.list().ofMinSize(6).ofMaxSize(30))
                .as((first, rest) -> {
                    List<Action> all = new ArrayList<>(rest);
                    all.addFirst(first);
                    return all;
                });
    }

    @Property(tries = 60)
    void everyIssuedCreditIsAvailableReservedOrPaidAndTheLedgerStaysConsistent(
            @ForAll("sequences") List<Action> actions) {
        List<UUID> users = List.of(newUser(UserRole.CUSTOMER), newUser(UserRole.CUSTOMER));
        List<UUID> created = new ArrayList<>();
        long paidBefore = ledger.platformAccount(AccountPurpose.PAYOUTS_PAID).credits();
        long issued = 0;
        int step = 0;
        for (Action a : actions) {
            step++;
            try {
                switch (a) {
                    case Credit c -> {
                        issue(users.get(c.user()), c.credits());
                        issued += c.credits();
                    }
                    case Request r -> {
                        UUID user = users.get(r.user());
                        Cashout c = cashouts.request(user, new NewCashout("usdt", null, r.credits(),
                                Map.of("address", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"), null));
                        created.add(c.id());
                        if (r.confirm()) {
                            cashouts.confirm(user, c.id(), code(c.id()));
                        }
                    }
                    case Confirm c -> withTarget(created, c.target(), id -> cashouts.confirm(owner(id), id, code(id)));
                    case Cancel c -> withTarget(created, c.target(), id -> cashouts.cancel(owner(id), id));
                    case Approve c -> withTarget(created, c.target(), id -> cashouts.approve(admin, id, null));
                    case Reject c -> withTarget(created, c.target(), id -> cashouts.reject(admin, id, "no"));
                    case Complete c -> withTarget(created, c.target(),
                            id -> cashouts.complete(admin, id, "tx-" + id));
                }
                net.jqwik.api.statistics.Statistics.label("steps").collect(a.getClass().getSimpleName() + " ok");
            } catch (CashoutsException expected) {
                net.jqwik.api.statistics.Statistics.label("steps").collect(a.getClass().getSimpleName() + " refused: "
                        + expected.code());
                // a refused request or transition (below minimum, over the balance, invalid transition,
                // insufficient funds at confirmation, stale code): refused steps must change nothing
            }
            assertThat(ledger.account(users.get(0), AccountPurpose.OPERATOR_EARNINGS).credits())
                    .as("step %d %s", step, a).isNotNegative();
        }

        ConsistencyReport report = ledger.checkConsistency();
        assertThat(report.consistent()).as(report.toString()).isTrue();
        long earnings = 0;
        long reserved = 0;
        for (UUID user : users) {
            long e = ledger.account(user, AccountPurpose.OPERATOR_EARNINGS).credits();
            long r = ledger.account(user, AccountPurpose.CASHOUT_RESERVED).credits();
            assertThat(e).isNotNegative();
            assertThat(r).isNotNegative();
            // what is reserved is exactly the cash-outs in flight
            long inFlight = cashouts.history(user, 1, 100).cashouts().stream()
                    .filter(c -> IN_FLIGHT.contains(c.status())).mapToLong(Cashout::amountCredits).sum();
            assertThat(r).as("reserved = cash-outs in flight").isEqualTo(inFlight);
            earnings += e;
            reserved += r;
        }
        long paid = ledger.platformAccount(AccountPurpose.PAYOUTS_PAID).credits() - paidBefore;
        long completed = users.stream().flatMap(u -> cashouts.history(u, 1, 100).cashouts().stream())
                .filter(c -> c.status() == CashoutStatus.COMPLETED).mapToLong(Cashout::amountCredits).sum();
        assertThat(paid).as("paid = completed cash-outs").isEqualTo(completed);
        assertThat(earnings + reserved + paid).as("issued = earnings + reserved + paid").isEqualTo(issued);
        // shows in the report how often the sequences reach each kind of end state
        net.jqwik.api.statistics.Statistics.label("paid out").collect(paid > 0);
        net.jqwik.api.statistics.Statistics.label("still reserved").collect(reserved > 0);
        net.jqwik.api.statistics.Statistics.label("released").collect(users.stream()
                .flatMap(u -> cashouts.history(u, 1, 100).cashouts().stream())
                .anyMatch(c -> c.status() == CashoutStatus.REJECTED || c.status() == CashoutStatus.CANCELLED));
    }

    private interface Step {
        void run(UUID cashoutId);
    }

    private static void withTarget(List<UUID> created, int target, Step step) {
        if (created.isEmpty()) {
            throw new CashoutsException(CashoutsException.Reason.NOT_FOUND, "no cash-out yet", null);
        }
        step.run(created.get(created.size() - 1 - target % created.size()));
    }

    private UUID owner(UUID cashoutId) {
        return jdbc.sql("SELECT user_id FROM cashout_requests WHERE id = :id").param("id", cashoutId)
                .query(UUID.class).single();
    }

    /** The confirmation code mailed for the cash-out, read from the outbox (same transaction as the request). */
    private String code(UUID cashoutId) {
        String body = jdbc.sql("""
                        SELECT body FROM mail_outbox
                        WHERE subject = 'Confirm your IPLoop cash-out' AND body LIKE :reference""")
                .param("reference", "%Reference: " + cashoutId + "%").query(String.class).single();
        Matcher m = CODE.matcher(body);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private void issue(UUID userId, long credits) {
        ledger.post(NewTransaction.of(TransactionKind.EARN_CREDIT, "prop-" + UUID.randomUUID(), "property credit",
                Posting.credits(ledger.account(userId, AccountPurpose.OPERATOR_EARNINGS).id(), credits),
                Posting.credits(ledger.platformAccount(AccountPurpose.EARN_ISSUED).id(), -credits)));
    }

    private UUID newUser(UserRole role) {
        String email = "prop-" + UUID.randomUUID() + "@example.com";
        return accounts.create(new NewAccount(email, "correct horse", "Pro", "Perty", null, role, false)).id();
    }
}
