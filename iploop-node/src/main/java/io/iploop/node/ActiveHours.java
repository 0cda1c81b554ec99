package io.iploop.node;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * When the agent serves streams, in the device's local time (the {@code active-hours} setting,
 * docs/node-agent.md#active-hours-and-monthly-data-cap): {@code always}, or rules separated by
 * {@code ;}, each an optional day list ({@code mon-fri}, {@code sat,sun}) and a window
 * {@code HH:MM-HH:MM}, e.g. {@code mon-fri 18:00-23:30; sat,sun 08:00-23:00}. A window whose end is
 * not after its start runs past midnight ({@code 22:00-06:00}); the part after midnight belongs to
 * the day the window started on. {@code 24:00} means the end of the day. Immutable, thread-safe.
 */
public final class ActiveHours {

    /** Every hour of every day. */
    public static final ActiveHours ALWAYS = new ActiveHours(List.of(), "always");

    private record Rule(Set<DayOfWeek> days, int startMinute, int endMinute) {}

    private final List<Rule> rules;
    private final String spec;

    private ActiveHours(List<Rule> rules, String spec) {
        this.rules = rules;
        this.spec = spec;
    }

    /**
     * Parses a spec as described above; day names are the first three letters in English, any case.
     *
     * @throws IllegalArgumentException naming the bad rule
     */
    public static ActiveHours parse(String spec) {
        String s = spec.strip().toLowerCase(Locale.ROOT);
        if (s.equals("always")) {
            return ALWAYS;
        }
        List<Rule> rules = new ArrayList<>();
        List<String> canonical = new ArrayList<>();
        for (String raw : s.split(";", -1)) {
            String r = raw.strip();
            String[] parts = r.split("\\s+");
            if (r.isEmpty() || parts.length > 2) {
                throw bad(r);
            }
            Set<DayOfWeek> days = parts.length == 2 ? days(parts[0], r) : EnumSet.allOf(DayOfWeek.class);
            String window = parts[parts.length - 1];
            int dash = window.indexOf('-');
            if (dash < 0) {
                throw bad(r);
            }
            int start = minute(window.substring(0, dash), r);
            int end = minute(window.substring(dash + 1), r);
            if (start == 24 * 60 || start == end) {
                throw bad(r);
            }
            rules.add(new Rule(days, start, end));
            canonical.add(r.replaceAll("\\s+", " "));
        }
        return new ActiveHours(List.copyOf(rules), String.join("; ", canonical));
    }

    private static Set<DayOfWeek> days(String list, String rule) {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (String item : list.split(",", -1)) {
            int dash = item.indexOf('-');
            DayOfWeek from = day(dash < 0 ? item : item.substring(0, dash), rule);
            DayOfWeek to = dash < 0 ? from : day(item.substring(dash + 1), rule);
            for (DayOfWeek d = from; ; d = d.plus(1)) {
                days.add(d);
                if (d == to) {
                    break;
                }
            }
        }
        return days;
    }

    private static DayOfWeek day(String name, String rule) {
        for (DayOfWeek d : DayOfWeek.values()) {
            if (d.name().substring(0, 3).equalsIgnoreCase(name)) {
                return d;
            }
        }
        throw bad(rule);
    }

    private static int minute(String hhmm, String rule) {
        if (hhmm.equals("24:00")) {
            return 24 * 60;
        }
        try {
            if (!hhmm.matches("\\d{2}:\\d{2}")) {
                throw bad(rule);
            }
            LocalTime t = LocalTime.parse(hhmm);
            return t.getHour() * 60 + t.getMinute();
        } catch (DateTimeParseException e) {
            throw bad(rule);
        }
    }

    private static IllegalArgumentException bad(String rule) {
        return new IllegalArgumentException("(expected: always, or rules such as 'mon-fri 18:00-23:30; sat,sun 08:00-23:00'"
                + "; bad: " + (rule.isEmpty() ? "an empty rule" : rule) + ")");
    }

    /** Whether {@code localTime} (the device's wall clock) falls in a window. */
    public boolean isActive(LocalDateTime localTime) {
        if (rules.isEmpty()) {
            return true;
        }
        int minute = localTime.getHour() * 60 + localTime.getMinute();
        DayOfWeek today = localTime.getDayOfWeek();
        for (Rule r : rules) {
            if (r.endMinute > r.startMinute) {
                if (r.days.contains(today) && minute >= r.startMinute && minute < r.endMinute) {
                    return true;
                }
            } else if ((r.days.contains(today) && minute >= r.startMinute)
                    || (r.days.contains(today.minus(1)) && minute < r.endMinute)) {
                return true;
            }
        }
        return false;
    }

    /** The canonical spec ({@link #parse} accepts it). */
    @Override
    public String toString() {
        return spec;
    }
}
