package io.iploop.server.autoban;

import io.iploop.server.nodes.NodeModeration;
import java.util.List;

/**
 * What one evaluation of the auto-ban rules did. Immutable.
 *
 * @param moderations the quarantines it created, in the order of the rules (quality, abuse-reports,
 *     earnings-anomaly); empty when nothing was due or everything due was already done
 * @param watched nodes whose quality score is below the threshold and is being timed
 */
public record AutoBanRun(List<NodeModeration> moderations, int watched) {

    public AutoBanRun {
        moderations = List.copyOf(moderations);
    }

    /** One line for the job's log and the admin's run response. */
    public String summary() {
        long quality = moderations.stream().filter(m -> AutoBanService.QUALITY.equals(m.rule())).count();
        long abuse = moderations.stream().filter(m -> AutoBanService.ABUSE.equals(m.rule())).count();
        return "quarantined " + moderations.size() + " nodes (quality " + quality + ", abuse-reports " + abuse
                + ", earnings-anomaly " + (moderations.size() - quality - abuse) + "); " + watched
                + " poor-quality nodes watched";
    }
}
