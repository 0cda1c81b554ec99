package io.iploop.server.campaigns;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * A project's state machine (docs/campaigns.md#status). {@code completed} is final and set only by the
 * engine when the total target is reached; {@code stopped} is set by the customer, at expiry, or by
 * the daily domain re-check when a target domain lapsed, and can be activated again.
 */
public enum ProjectStatus {
    /** Visits are dispatched (within the daily limit, total target, schedule and wallet). */
    ACTIVE,
    /** Held by the customer (or by the engine when the wallet is empty); resumes as it was. */
    PAUSED,
    /** Halted; activating again needs every URL on a verified domain and an expiry in the future. */
    STOPPED,
    /** The total target was reached; final. */
    COMPLETED;

    /** The statuses this one may change to. */
    public Set<ProjectStatus> next() {
        return switch (this) {
            case ACTIVE -> EnumSet.of(PAUSED, STOPPED, COMPLETED);
            case PAUSED -> EnumSet.of(ACTIVE, STOPPED, COMPLETED);
            case STOPPED -> EnumSet.of(ACTIVE);
            case COMPLETED -> EnumSet.noneOf(ProjectStatus.class);
        };
    }

    /** True if the change is allowed (a change to itself is not a change and is allowed). */
    public boolean canBecome(ProjectStatus target) {
        return target == this || next().contains(target);
    }

    /** The lower-case name used in the API and the database. */
    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The status of an API value such as {@code "paused"}.
     *
     * @throws CampaignsException {@code INVALID} naming field {@code status}
     */
    public static ProjectStatus of(String value) {
        for (ProjectStatus s : values()) {
            if (s.value().equals(value)) {
                return s;
            }
        }
        throw new CampaignsException(CampaignsException.Reason.INVALID,
                "status must be one of active, paused, stopped, completed", "status");
    }
}
