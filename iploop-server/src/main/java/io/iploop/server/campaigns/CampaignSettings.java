package io.iploop.server.campaigns;

import java.net.URI;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Set;

/**
 * The settings fields the engine reads, parsed and validated from a project's settings JSON
 * (docs/campaigns.md#settings); unknown fields of the JSON are not here. Immutable.
 *
 * @param urls the pages visits start at, 1 to 50 absolute http(s) URLs on verified domains
 * @param geoTargets countries with relative weights; empty for any country
 * @param desktopPercent share of visits with a desktop profile, 0-100 ({@code deviceSplit}); the rest mobile
 * @param trafficSpeed 0-100, mapped linearly by the engine to concurrency within the plan's cap
 * @param timeOnPage how long a visit stays on each page, 0 to 30 minutes
 * @param bounceRate percent of visits that leave after the first page, 0-100
 * @param pagesPerVisit pages a non-bouncing visit opens, 1-20 (following same-site links)
 * @param schedule when visits may be sent
 */
public record CampaignSettings(List<URI> urls, List<GeoTarget> geoTargets, int desktopPercent, int trafficSpeed,
        Duration timeOnPage, int bounceRate, int pagesPerVisit, Schedule schedule) {

    public CampaignSettings {
        urls = List.copyOf(urls);
        geoTargets = List.copyOf(geoTargets);
    }

    /**
     * One country and its weight relative to the other targets.
     *
     * @param country ISO 3166-1 alpha-2, upper case
     * @param weight positive, relative (70 and 30 mean 70 % and 30 %)
     */
    public record GeoTarget(String country, int weight) {}

    /**
     * When visits may be sent: on these days, in these hours, in {@code zone}. Empty sets mean every day or hour.
     *
     * @param hours 0-23, start hours of the allowed hours
     */
    public record Schedule(ZoneId zone, Set<DayOfWeek> days, Set<Integer> hours) {

        /** Always: every day and hour, UTC. */
        public static final Schedule ALWAYS = new Schedule(ZoneId.of("UTC"), Set.of(), Set.of());

        public Schedule {
            days = Set.copyOf(days);
            hours = Set.copyOf(hours);
        }

        /** True if visits may be sent at {@code at}. */
        public boolean allows(Instant at) {
            ZonedDateTime local = at.atZone(zone);
            return (days.isEmpty() || days.contains(local.getDayOfWeek()))
                    && (hours.isEmpty() || hours.contains(local.getHour()));
        }
    }
}
