package io.iploop.server.cashouts;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The cash-out state machine, declared in this one place (docs/architecture.md#rules, as Kill Bill's
 * {@code PaymentStates.xml}): every allowed transition with the ledger movement it causes. Any
 * transition not listed is refused with 409 naming from and to. Immutable; thread-safe.
 *
 * <pre>
 * awaiting_confirmation ─confirm→ pending ─approve→ approved ─send→ processing ─paid→ completed
 *          │                        ├─reject→ rejected (release)       │  ↺ failed attempt, retried
 *          ├─cancel→ cancelled      └─cancel→ cancelled (release)      ├─refused for good→ failed (release)
 *          └─code expired→ expired                                     └─outcome unknown→ payout_unknown
 *                                             payout_unknown ─admin: paid→ completed │ ─admin: not paid→ failed (release)
 * </pre>
 *
 * <p>{@code payout_unknown} has no automatic way out: releasing credits the provider may have paid
 * would pay twice, so only an admin who checked the provider resolves it (docs/earn-fraud.md).
 */
public final class CashoutStateMachine {

    /** The movement of credits a transition causes, in the same database transaction. */
    public enum Funds {
        /** Nothing moves. */
        NONE,
        /** OPERATOR_EARNINGS → CASHOUT_RESERVED ({@code CASHOUT_RESERVE}, key {@code cashout:<id>:reserve}). */
        RESERVE,
        /** CASHOUT_RESERVED → OPERATOR_EARNINGS ({@code CASHOUT_RELEASE}, key {@code cashout:<id>:release}). */
        RELEASE,
        /** CASHOUT_RESERVED → PAYOUTS_PAID ({@code CASHOUT_PAYOUT}, key {@code cashout:<id>:payout}). */
        PAY_OUT
    }

    /** One allowed transition. */
    public record Transition(CashoutStatus from, CashoutStatus to, Funds funds) {}

    private static final List<Transition> TRANSITIONS = List.of(
            new Transition(CashoutStatus.AWAITING_CONFIRMATION, CashoutStatus.PENDING, Funds.RESERVE),
            new Transition(CashoutStatus.AWAITING_CONFIRMATION, CashoutStatus.CANCELLED, Funds.NONE),
            new Transition(CashoutStatus.AWAITING_CONFIRMATION, CashoutStatus.EXPIRED, Funds.NONE),
            new Transition(CashoutStatus.PENDING, CashoutStatus.APPROVED, Funds.NONE),
            new Transition(CashoutStatus.PENDING, CashoutStatus.REJECTED, Funds.RELEASE),
            new Transition(CashoutStatus.PENDING, CashoutStatus.CANCELLED, Funds.RELEASE),
            new Transition(CashoutStatus.APPROVED, CashoutStatus.PROCESSING, Funds.NONE),
            // A failed or pending provider attempt: still processing, the credits stay reserved.
            new Transition(CashoutStatus.PROCESSING, CashoutStatus.PROCESSING, Funds.NONE),
            new Transition(CashoutStatus.PROCESSING, CashoutStatus.COMPLETED, Funds.PAY_OUT),
            new Transition(CashoutStatus.PROCESSING, CashoutStatus.FAILED, Funds.RELEASE),
            new Transition(CashoutStatus.PROCESSING, CashoutStatus.PAYOUT_UNKNOWN, Funds.NONE),
            new Transition(CashoutStatus.PAYOUT_UNKNOWN, CashoutStatus.COMPLETED, Funds.PAY_OUT),
            new Transition(CashoutStatus.PAYOUT_UNKNOWN, CashoutStatus.FAILED, Funds.RELEASE));

    private static final Map<CashoutStatus, Map<CashoutStatus, Transition>> BY_FROM = index();

    private CashoutStateMachine() {
    }

    private static Map<CashoutStatus, Map<CashoutStatus, Transition>> index() {
        Map<CashoutStatus, Map<CashoutStatus, Transition>> m = new EnumMap<>(CashoutStatus.class);
        for (Transition t : TRANSITIONS) {
            m.computeIfAbsent(t.from(), k -> new EnumMap<>(CashoutStatus.class)).put(t.to(), t);
        }
        return m;
    }

    /** Every allowed transition, in declaration order. */
    public static List<Transition> transitions() {
        return TRANSITIONS;
    }

    /** The transition from {@code from} to {@code to}, if allowed. */
    public static Optional<Transition> find(CashoutStatus from, CashoutStatus to) {
        return Optional.ofNullable(BY_FROM.getOrDefault(from, Map.of()).get(to));
    }

    /** The statuses {@code from} may move to (empty for a final status). */
    public static Set<CashoutStatus> next(CashoutStatus from) {
        return BY_FROM.getOrDefault(from, Map.of()).keySet().stream().collect(Collectors.toUnmodifiableSet());
    }

    /** True when no transition leaves {@code status}. */
    public static boolean isFinal(CashoutStatus status) {
        return next(status).isEmpty();
    }

    /**
     * The transition from {@code from} to {@code to}.
     *
     * @throws CashoutsException {@code INVALID_TRANSITION} (409) naming both when not allowed
     */
    public static Transition require(CashoutStatus from, CashoutStatus to) {
        return find(from, to).orElseThrow(() -> new CashoutsException(CashoutsException.Reason.INVALID_TRANSITION,
                "cash-out cannot move from " + from.dbValue() + " to " + to.dbValue()
                        + (isFinal(from) ? " (" + from.dbValue() + " is final)" : ""),
                "status"));
    }
}
