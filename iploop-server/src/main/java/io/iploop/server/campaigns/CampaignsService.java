package io.iploop.server.campaigns;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Campaign projects (docs/campaigns.md#projects): the customer's CRUD, scoped by account, and the
 * engine's view. Thread-safe; counters live in the database, so reservations are safe across
 * restarts, instances and concurrent callers.
 */
public interface CampaignsService {

    /** Most projects an account may have. */
    int MAX_PROJECTS = 100;

    /** The account's projects, oldest first. */
    List<Project> list(UUID userId);

    /**
     * One of the account's projects.
     *
     * @throws CampaignsException {@code PROJECT_NOT_FOUND} for an unknown or another account's project
     */
    Project get(UUID userId, UUID projectId);

    /**
     * Creates a project after validating every field and every settings field the engine reads.
     *
     * @throws CampaignsException {@code INVALID} naming the field, e.g. {@code settings.urls[0]} for a
     *     URL not on one of the account's verified domains; nothing is written then
     */
    Project create(UUID userId, ProjectSpec spec);

    /**
     * Replaces a project's name, limits, expiry and settings, and changes its status when
     * {@code spec.status()} is set. Counters are kept.
     *
     * @throws CampaignsException {@code PROJECT_NOT_FOUND}, {@code INVALID} naming the field, or
     *     {@code INVALID_TRANSITION}
     */
    Project update(UUID userId, UUID projectId, ProjectSpec spec);

    /**
     * Changes only the status (pause, resume, stop), with the same rules as {@link #update}.
     *
     * @throws CampaignsException {@code PROJECT_NOT_FOUND}, {@code INVALID}, {@code INVALID_TRANSITION}
     */
    Project changeStatus(UUID userId, UUID projectId, ProjectStatus status);

    /**
     * Deletes a project (its wallet postings stay in the ledger).
     *
     * @throws CampaignsException {@code PROJECT_NOT_FOUND}
     */
    void delete(UUID userId, UUID projectId);

    /** The parsed settings of a stored project (for the engine and pages). */
    CampaignSettings settingsOf(Project project);

    /**
     * Every active, unexpired project whose total target is not reached, with parsed settings, oldest
     * first. Daily limits and schedules are left to the caller ({@link CampaignSettings.Schedule#allows}).
     */
    List<RunnableProject> runnableProjects(Instant now);

    /**
     * Atomically reserves up to {@code visits} visits of an active project: as many as its daily
     * limit (UTC day of {@code now}) and total target leave, possibly 0. A reserved visit counts as
     * delivered; give back visits that could not be sent with {@link #releaseVisits}.
     *
     * @param visits 1 or more
     * @throws IllegalArgumentException when {@code visits} is below 1
     */
    VisitReservation reserveVisits(UUID projectId, int visits, Instant now);

    /**
     * Gives back reserved visits that were not delivered (never below 0; today's count only when
     * {@code now} is still the reservation's UTC day).
     */
    void releaseVisits(UUID projectId, int visits, Instant now);

    /**
     * A status change by the platform (target reached, wallet empty, expiry, lapsed domain), with the
     * reason shown to the owner and a notification; no-op when the project is gone or already there.
     *
     * @return true if the status changed
     * @throws CampaignsException {@code INVALID_TRANSITION}
     */
    boolean changeStatusBySystem(UUID projectId, ProjectStatus status, String reason);
}
