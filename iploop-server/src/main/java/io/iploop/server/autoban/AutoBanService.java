package io.iploop.server.autoban;

import java.time.Instant;
import java.util.UUID;

/**
 * Auto-ban rules (docs/moderation.md#auto-ban-rules): their settings and their evaluation, which the
 * {@code auto-ban} job runs every minute. Thread-safe.
 */
public interface AutoBanService {

    /** Rule name of the poor-quality rule, as {@code NodeModeration.rule()} and the audit name it. */
    String QUALITY = "quality";
    /** Rule name of the abuse-reports rule. */
    String ABUSE = "abuse-reports";
    /** Rule name of the earnings-anomaly rule. */
    String FRAUD = "earnings-anomaly";

    /** The settings in force ({@link AutoBanRules#DEFAULTS} until an admin changed them). */
    AutoBanRules rules();

    /**
     * Changes the settings; the next evaluation uses them. Audited ({@code auto_ban_rules_changed}).
     *
     * @return the settings in force afterwards
     * @throws AutoBanException {@code INVALID_RULES} (400) naming the first field out of its range;
     *     nothing is changed then
     */
    AutoBanRules update(UUID adminId, AutoBanRulesUpdate update);

    /**
     * Evaluates every enabled rule once, as of {@code now}, and quarantines the nodes they match that
     * are under no ban or quarantine yet. Idempotent: the same evidence never quarantines a node twice,
     * even after an admin lifted the quarantine. Each quarantine is committed on its own, so a failure
     * keeps those before it.
     *
     * @param now the evaluation time (the job passes the clock's); poor quality is timed against it
     */
    AutoBanRun evaluate(Instant now);
}
