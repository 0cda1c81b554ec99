package io.iploop.server.campaigns.internal;

import io.iploop.server.campaigns.CampaignSettings;
import io.iploop.server.campaigns.CampaignSettings.GeoTarget;
import io.iploop.server.campaigns.CampaignSettings.Schedule;
import io.iploop.server.campaigns.CampaignsException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses and validates a project's settings JSON (docs/campaigns.md#settings): the fields the
 * engine reads are checked and turned into {@link CampaignSettings}; unknown fields are ignored
 * (they stay in the stored text). Every refusal is a {@code INVALID} naming the field as a JSON path
 * ({@code settings.geoTargets[1].weight}). Stateless; thread-safe.
 */
@Component
class SettingsParser {

    static final int MAX_SETTINGS_CHARS = 65_536;
    static final int MAX_URLS = 50;
    static final int MAX_URL_LENGTH = 2000;
    static final int MAX_GEO_TARGETS = 50;
    static final int MAX_WEIGHT = 1_000_000;
    static final Duration MAX_TIME_ON_PAGE = Duration.ofMinutes(30);

    private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
    private static final Pattern DURATION_TEXT =
            Pattern.compile("(\\d{1,5})\\s*(s|sec|secs|second|seconds|m|min|mins|minute|minutes)");

    private final JsonMapper json;

    SettingsParser(JsonMapper json) {
        this.json = json;
    }

    /** The settings of {@code text}, a JSON object of at most {@link #MAX_SETTINGS_CHARS} characters. */
    CampaignSettings parse(String text) {
        if (text.length() > MAX_SETTINGS_CHARS) {
            throw invalid("settings", "must be at most " + MAX_SETTINGS_CHARS + " characters of JSON");
        }
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (JacksonException e) {
            throw invalid("settings", "is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw invalid("settings", "must be a JSON object");
        }
        return new CampaignSettings(urls(root.get("urls")), geoTargets(root.get("geoTargets")),
                deviceSplit(root.get("deviceSplit")), percent(root.get("trafficSpeed"), "settings.trafficSpeed", 50),
                timeOnPage(root.get("timeOnPage")), percent(root.get("bounceRate"), "settings.bounceRate", 0),
                pagesPerVisit(root.get("pagesPerVisit")), schedule(root.get("schedule")));
    }

    private static List<URI> urls(JsonNode node) {
        String field = "settings.urls";
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw invalid(field, "must be a list of 1-" + MAX_URLS + " absolute http(s) URLs");
        }
        if (node.size() > MAX_URLS) {
            throw invalid(field, "must have at most " + MAX_URLS + " URLs");
        }
        List<URI> urls = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String f = field + "[" + i + "]";
            JsonNode u = node.get(i);
            if (!u.isString() || u.asString().isBlank() || u.asString().length() > MAX_URL_LENGTH) {
                throw invalid(f, "must be an absolute http(s) URL of 1-" + MAX_URL_LENGTH + " characters");
            }
            urls.add(url(u.asString().strip(), f));
        }
        return urls;
    }

    /** An absolute http(s) URL with a host name, no user info; the host lower-cased. */
    static URI url(String text, String field) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw invalid(field, "is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalid(field, "must start with https:// or http://");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw invalid(field, "must name a host, without user info");
        }
        return uri;
    }

    private static List<GeoTarget> geoTargets(JsonNode node) {
        String field = "settings.geoTargets";
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray() || node.size() > MAX_GEO_TARGETS) {
            throw invalid(field, "must be a list of at most " + MAX_GEO_TARGETS + " {\"country\": \"US\", \"weight\": 70} objects");
        }
        List<GeoTarget> targets = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String f = field + "[" + i + "]";
            JsonNode t = node.get(i);
            if (!t.isObject()) {
                throw invalid(f, "must be an object {\"country\": \"US\", \"weight\": 70}");
            }
            JsonNode c = t.get("country");
            if (c == null || !c.isString() || !COUNTRY.matcher(c.asString().toUpperCase(Locale.ROOT)).matches()) {
                throw invalid(f + ".country", "must be a two-letter ISO 3166-1 country code such as \"US\"");
            }
            String country = c.asString().toUpperCase(Locale.ROOT);
            if (!seen.add(country)) {
                throw invalid(f + ".country", "lists " + country + " a second time");
            }
            JsonNode w = t.get("weight");
            if (w == null || !w.isIntegralNumber() || w.asLong() < 1 || w.asLong() > MAX_WEIGHT) {
                throw invalid(f + ".weight", "must be a whole number from 1 to " + MAX_WEIGHT);
            }
            targets.add(new GeoTarget(country, w.asInt()));
        }
        return targets;
    }

    /** A number 0-100 (desktop percent) or {"desktop": 70, "mobile": 30} summing to 100; default 50. */
    private static int deviceSplit(JsonNode node) {
        String field = "settings.deviceSplit";
        if (node == null || node.isNull()) {
            return 50;
        }
        if (node.isObject()) {
            int desktop = percent(node.get("desktop"), field + ".desktop", -1);
            int mobile = percent(node.get("mobile"), field + ".mobile", -1);
            if (desktop < 0 && mobile < 0) {
                throw invalid(field, "must name desktop and/or mobile percentages");
            }
            desktop = desktop < 0 ? 100 - mobile : desktop;
            if (mobile >= 0 && desktop + mobile != 100) {
                throw invalid(field, "desktop and mobile must add up to 100");
            }
            return desktop;
        }
        return percent(node, field, 50);
    }

    /** A whole number 0-100, {@code fallback} when absent or null. */
    private static int percent(JsonNode node, String field, int fallback) {
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isIntegralNumber() || node.asLong() < 0 || node.asLong() > 100) {
            throw invalid(field, "must be a whole number from 0 to 100");
        }
        return node.asInt();
    }

    /** Seconds as a number, or text such as "45 seconds" or "3 minutes"; 0 to 30 minutes; default 30 s. */
    private static Duration timeOnPage(JsonNode node) {
        String field = "settings.timeOnPage";
        String rule = "must be seconds (0-1800) or text such as \"45 seconds\" or \"3 minutes\"";
        if (node == null || node.isNull()) {
            return Duration.ofSeconds(30);
        }
        Duration d;
        if (node.isIntegralNumber()) {
            d = Duration.ofSeconds(node.asLong());
        } else if (node.isString()) {
            Matcher m = DURATION_TEXT.matcher(node.asString().strip().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw invalid(field, rule);
            }
            long n = Long.parseLong(m.group(1));
            d = m.group(2).startsWith("m") ? Duration.ofMinutes(n) : Duration.ofSeconds(n);
        } else {
            throw invalid(field, rule);
        }
        if (d.isNegative() || d.compareTo(MAX_TIME_ON_PAGE) > 0) {
            throw invalid(field, rule);
        }
        return d;
    }

    private static int pagesPerVisit(JsonNode node) {
        String field = "settings.pagesPerVisit";
        if (node == null || node.isNull()) {
            return 1;
        }
        if (!node.isIntegralNumber() || node.asLong() < 1 || node.asLong() > 20) {
            throw invalid(field, "must be a whole number from 1 to 20");
        }
        return node.asInt();
    }

    /** {"timezone": "Europe/Berlin", "days": ["mon", ...], "hours": [9, 10, ...]}, each optional. */
    private static Schedule schedule(JsonNode node) {
        String field = "settings.schedule";
        if (node == null || node.isNull()) {
            return Schedule.ALWAYS;
        }
        if (!node.isObject()) {
            throw invalid(field, "must be an object {\"timezone\": \"UTC\", \"days\": [\"mon\"], \"hours\": [9]}");
        }
        ZoneId zone = ZoneId.of("UTC");
        JsonNode tz = node.get("timezone");
        if (tz != null && !tz.isNull()) {
            try {
                zone = ZoneId.of(tz.isString() ? tz.asString() : "?");
            } catch (DateTimeException e) {
                throw invalid(field + ".timezone", "must be a time zone such as \"Europe/Berlin\" or \"UTC\"");
            }
        }
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        JsonNode d = node.get("days");
        if (d != null && !d.isNull()) {
            if (!d.isArray()) {
                throw invalid(field + ".days", "must be a list of mon, tue, wed, thu, fri, sat, sun");
            }
            for (int i = 0; i < d.size(); i++) {
                days.add(day(d.get(i), field + ".days[" + i + "]"));
            }
        }
        Set<Integer> hours = new HashSet<>();
        JsonNode h = node.get("hours");
        if (h != null && !h.isNull()) {
            if (!h.isArray()) {
                throw invalid(field + ".hours", "must be a list of hours 0-23");
            }
            for (int i = 0; i < h.size(); i++) {
                JsonNode v = h.get(i);
                if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > 23) {
                    throw invalid(field + ".hours[" + i + "]", "must be a whole number from 0 to 23");
                }
                hours.add(v.asInt());
            }
        }
        return new Schedule(zone, days, hours);
    }

    private static DayOfWeek day(JsonNode node, String field) {
        if (node.isString()) {
            String v = node.asString().strip().toLowerCase(Locale.ROOT);
            for (DayOfWeek d : DayOfWeek.values()) {
                if (v.length() >= 3 && d.name().toLowerCase(Locale.ROOT).startsWith(v)) {
                    return d;
                }
            }
        }
        throw invalid(field, "must be one of mon, tue, wed, thu, fri, sat, sun");
    }

    static CampaignsException invalid(String field, String rule) {
        return new CampaignsException(CampaignsException.Reason.INVALID, field + " " + rule, field);
    }
}
