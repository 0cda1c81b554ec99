package io.iploop.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class ActiveHoursTest {

    // 2026-12-07 is a Monday.
    private static LocalDateTime at(int day, int hour, int minute) {
        return LocalDateTime.of(2026, 12, day, hour, minute);
    }

    @Test
    void aDailyWindowIncludesItsStartAndExcludesItsEnd() {
        ActiveHours h = ActiveHours.parse("08:00-23:00");
        assertThat(h.isActive(at(7, 7, 59))).isFalse();
        assertThat(h.isActive(at(7, 8, 0))).isTrue();
        assertThat(h.isActive(at(7, 22, 59))).isTrue();
        assertThat(h.isActive(at(7, 23, 0))).isFalse();
        assertThat(h.isActive(at(12, 12, 0))).as("every day").isTrue();
    }

    @Test
    void weekdayRulesAndWindowsPastMidnight() {
        ActiveHours h = ActiveHours.parse("Mon-Fri 18:00-23:30; sat,sun 22:00-06:00");
        assertThat(h.isActive(at(7, 19, 0))).as("Monday evening").isTrue();
        assertThat(h.isActive(at(7, 12, 0))).as("Monday noon").isFalse();
        assertThat(h.isActive(at(12, 23, 0))).as("Saturday night").isTrue();
        assertThat(h.isActive(at(13, 5, 59))).as("Sunday early, from Saturday's window").isTrue();
        assertThat(h.isActive(at(14, 5, 0))).as("Monday early, from Sunday's window").isTrue();
        assertThat(h.isActive(at(12, 5, 0))).as("Saturday early: Friday has no night window").isFalse();
        assertThat(h.isActive(at(13, 12, 0))).isFalse();
        assertThat(h.toString()).isEqualTo("mon-fri 18:00-23:30; sat,sun 22:00-06:00");
    }

    @Test
    void dayRangesWrapAroundTheWeekAnd24IsTheEndOfTheDay() {
        ActiveHours h = ActiveHours.parse("fri-mon 00:00-24:00");
        assertThat(h.isActive(at(11, 0, 0))).as("Friday").isTrue();
        assertThat(h.isActive(at(13, 23, 59))).as("Sunday").isTrue();
        assertThat(h.isActive(at(8, 12, 0))).as("Tuesday").isFalse();
        assertThat(ActiveHours.parse("always").isActive(at(8, 3, 0))).isTrue();
    }

    @Test
    void badSpecsNameTheRule() {
        assertThatThrownBy(() -> ActiveHours.parse("8-23")).hasMessageContaining("bad: 8-23");
        assertThatThrownBy(() -> ActiveHours.parse("08:00-25:00")).hasMessageContaining("bad: 08:00-25:00");
        assertThatThrownBy(() -> ActiveHours.parse("funday 08:00-09:00")).hasMessageContaining("bad: funday");
        assertThatThrownBy(() -> ActiveHours.parse("08:00-08:00")).hasMessageContaining("bad: 08:00-08:00");
        assertThatThrownBy(() -> ActiveHours.parse("08:00-09:00;")).hasMessageContaining("an empty rule");
    }
}
