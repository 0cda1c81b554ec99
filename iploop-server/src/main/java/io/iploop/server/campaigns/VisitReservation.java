package io.iploop.server.campaigns;

/**
 * The answer to {@link CampaignsService#reserveVisits}.
 *
 * @param granted visits the caller may now send, 0 to the number asked
 * @param visitsToday the project's visits on the current UTC day, this reservation included
 * @param visitsTotal the project's visits in all, this reservation included
 * @param targetReached true when {@code visitsTotal} has reached a non-zero total target
 */
public record VisitReservation(int granted, int visitsToday, long visitsTotal, boolean targetReached) {

    /** Nothing granted (project not active, limits reached, or unknown). */
    public static VisitReservation none(int visitsToday, long visitsTotal, boolean targetReached) {
        return new VisitReservation(0, visitsToday, visitsTotal, targetReached);
    }
}
