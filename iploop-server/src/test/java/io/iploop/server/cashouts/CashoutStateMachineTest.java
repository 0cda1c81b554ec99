package io.iploop.server.cashouts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iploop.server.cashouts.CashoutStateMachine.Funds;
import org.junit.jupiter.api.Test;

class CashoutStateMachineTest {

    @Test
    void theHappyPathReservesThenPaysOut() {
        assertThat(CashoutStateMachine.require(CashoutStatus.AWAITING_CONFIRMATION, CashoutStatus.PENDING).funds())
                .isEqualTo(Funds.RESERVE);
        assertThat(CashoutStateMachine.require(CashoutStatus.PENDING, CashoutStatus.APPROVED).funds())
                .isEqualTo(Funds.NONE);
        assertThat(CashoutStateMachine.require(CashoutStatus.APPROVED, CashoutStatus.PROCESSING).funds())
                .isEqualTo(Funds.NONE);
        assertThat(CashoutStateMachine.require(CashoutStatus.PROCESSING, CashoutStatus.PROCESSING).funds())
                .isEqualTo(Funds.NONE);
        assertThat(CashoutStateMachine.require(CashoutStatus.PROCESSING, CashoutStatus.COMPLETED).funds())
                .isEqualTo(Funds.PAY_OUT);
    }

    @Test
    void rejectionCancellationAndFailureReleaseButAnUnconfirmedCancelHasNothingToRelease() {
        assertThat(CashoutStateMachine.require(CashoutStatus.PENDING, CashoutStatus.REJECTED).funds())
                .isEqualTo(Funds.RELEASE);
        assertThat(CashoutStateMachine.require(CashoutStatus.PENDING, CashoutStatus.CANCELLED).funds())
                .isEqualTo(Funds.RELEASE);
        assertThat(CashoutStateMachine.require(CashoutStatus.PROCESSING, CashoutStatus.FAILED).funds())
                .isEqualTo(Funds.RELEASE);
        assertThat(CashoutStateMachine.require(CashoutStatus.AWAITING_CONFIRMATION, CashoutStatus.CANCELLED).funds())
                .isEqualTo(Funds.NONE);
    }

    @Test
    void everyOtherTransitionIsRefusedNamingFromAndTo() {
        assertThatThrownBy(() -> CashoutStateMachine.require(CashoutStatus.APPROVED, CashoutStatus.CANCELLED))
                .isInstanceOfSatisfying(CashoutsException.class, e -> {
                    assertThat(e.reason()).isEqualTo(CashoutsException.Reason.INVALID_TRANSITION);
                    assertThat(e.getMessage()).contains("from approved to cancelled");
                });
        assertThatThrownBy(() -> CashoutStateMachine.require(CashoutStatus.PENDING, CashoutStatus.COMPLETED))
                .hasMessageContaining("from pending to completed");
        assertThatThrownBy(() -> CashoutStateMachine.require(CashoutStatus.COMPLETED, CashoutStatus.PROCESSING))
                .hasMessageContaining("completed is final");
        // Every pair is either declared or refused; funds can only be released or paid after a reserve.
        for (CashoutStatus from : CashoutStatus.values()) {
            for (CashoutStatus to : CashoutStatus.values()) {
                boolean declared = CashoutStateMachine.transitions().stream()
                        .anyMatch(t -> t.from() == from && t.to() == to);
                assertThat(CashoutStateMachine.find(from, to).isPresent()).as(from + "->" + to).isEqualTo(declared);
            }
        }
        for (CashoutStatus s : new CashoutStatus[] {CashoutStatus.COMPLETED, CashoutStatus.REJECTED,
                CashoutStatus.CANCELLED, CashoutStatus.EXPIRED, CashoutStatus.FAILED}) {
            assertThat(CashoutStateMachine.isFinal(s)).as(s.name()).isTrue();
        }
    }
}
