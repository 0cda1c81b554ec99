package io.iploop.server.cashouts.internal;

import io.iploop.server.cashouts.Cashout;
import io.iploop.server.cashouts.CashoutStatus;
import io.iploop.server.mail.OutgoingMail;
import java.time.Duration;
import org.springframework.stereotype.Component;

/** The texts of the cash-out e-mails (docs/product/cashouts.md: code, and a mail at each status change). Thread-safe. */
@Component
class CashoutMails {

    OutgoingMail confirmationCode(String email, Cashout c, String code, Duration validity) {
        return new OutgoingMail(email, "Confirm your IPLoop cash-out", """
                Hello,

                you asked to cash out %s (fee %s %s, you receive %s %s) via %s to %s.

                Your confirmation code: %s

                It is valid for %d minutes and works once. If this was not you, do not enter it; change
                your password instead. Nothing is reserved until the code is entered.

                Reference: %s
                """.formatted(c.amountText(), c.currency(), c.feeUsd().toPlainString(), c.currency(),
                c.netAmountUsd().toPlainString(), c.method().dbValue(), c.paymentDetails(), code,
                validity.toMinutes(), c.id()));
    }

    OutgoingMail paymentMethodCode(String email, String masked, String code, Duration validity) {
        return new OutgoingMail(email, "Verify your IPLoop payment method", """
                Hello,

                to verify the payment method %s, enter this code: %s

                It is valid for %d minutes. Only verified methods can be used for auto-cash-out.
                """.formatted(masked, code, validity.toMinutes()));
    }

    OutgoingMail statusChanged(String email, Cashout c, CashoutStatus from) {
        String what = switch (c.status()) {
            case PENDING -> c.requiresReview()
                    ? "is confirmed and the credits are reserved. An admin reviews it shortly."
                    : "is confirmed and the credits are reserved.";
            case APPROVED -> "was approved and will be paid shortly.";
            case PROCESSING -> c.lastError() == null ? "is being paid out."
                    : "is still being paid out; the payment provider did not answer and we retry automatically.";
            case COMPLETED -> "was paid" + (c.transactionId() == null ? "." : " (transaction " + c.transactionId() + ").");
            case REJECTED -> "was rejected" + (c.adminNotes() == null ? "" : ": " + c.adminNotes())
                    + ". The credits are back in your balance.";
            case CANCELLED -> from == CashoutStatus.AWAITING_CONFIRMATION ? "was cancelled."
                    : "was cancelled. The credits are back in your balance.";
            case EXPIRED -> "expired before it was confirmed. Nothing was reserved.";
            case FAILED -> "could not be paid by the provider. The credits are back in your balance.";
            case AWAITING_CONFIRMATION -> "awaits confirmation.";
            case PAYOUT_UNKNOWN -> "is being checked with the payment provider. The credits stay reserved meanwhile.";
        };
        return new OutgoingMail(email, "Your IPLoop cash-out: " + c.status().dbValue().replace('_', ' '), """
                Hello,

                your cash-out of %s (%s %s via %s to %s) %s

                Status: %s
                Reference: %s
                """.formatted(c.amountText(), c.currency(), c.netAmountUsd().toPlainString(), c.method().dbValue(),
                c.paymentDetails(), what, c.status().dbValue(), c.id()));
    }
}
