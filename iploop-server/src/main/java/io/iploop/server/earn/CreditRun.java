package io.iploop.server.earn;

import java.time.Instant;

/**
 * What one credit run did. Immutable.
 *
 * @param periodEnd contributions recorded before this instant were considered
 * @param devicesCredited device-periods written (each one {@code device_earnings} row)
 * @param bytes bytes turned into credits
 * @param credits whole credits posted as EARN_CREDIT
 * @param commissionCredits whole credits posted as REFERRAL_COMMISSION
 */
public record CreditRun(Instant periodEnd, int devicesCredited, long bytes, long credits, long commissionCredits) {

    /** One line for the job log and the admin response. */
    public String summary() {
        return "credited " + devicesCredited + " device-periods: " + bytes + " bytes, " + credits + " credits, "
                + commissionCredits + " referral commission credits";
    }
}
