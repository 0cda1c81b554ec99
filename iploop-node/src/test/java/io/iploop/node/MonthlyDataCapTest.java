package io.iploop.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MonthlyDataCapTest {

    private static final YearMonth DEC = YearMonth.of(2026, 12);
    private static final YearMonth JAN = YearMonth.of(2027, 1);

    @TempDir
    Path dir;

    @Test
    void countsUpToTheCapAndARestartKeepsTheCount() {
        Path file = dir.resolve("data-cap");
        MonthlyDataCap cap = new MonthlyDataCap(2, file, DEC);
        cap.add(1_500_000_000L, DEC);
        assertThat(cap.exceeded(DEC)).isFalse();
        cap.save();

        MonthlyDataCap restarted = new MonthlyDataCap(2, file, DEC);
        assertThat(restarted.used(DEC)).isEqualTo(1_500_000_000L);
        restarted.add(499_999_999L, DEC);
        assertThat(restarted.exceeded(DEC)).isFalse();
        restarted.add(1, DEC);
        assertThat(restarted.exceeded(DEC)).isTrue();
        assertThat(restarted.limitBytes()).isEqualTo(2 * MonthlyDataCap.BYTES_PER_GB);
    }

    @Test
    void theFirstOfTheMonthStartsFromZeroAlsoAfterARestart() throws Exception {
        Path file = dir.resolve("data-cap");
        MonthlyDataCap cap = new MonthlyDataCap(1, file, DEC);
        cap.add(MonthlyDataCap.BYTES_PER_GB, DEC);
        assertThat(cap.exceeded(DEC)).isTrue();
        cap.save();
        assertThat(Files.readString(file).strip()).isEqualTo("2026-12 1000000000");

        assertThat(cap.exceeded(JAN)).isFalse();
        assertThat(cap.used(JAN)).isZero();
        assertThat(new MonthlyDataCap(1, file, JAN).used(JAN)).as("a file from last month").isZero();
    }

    @Test
    void aDamagedFileStartsFromZeroAndBadCapsAreRefused() throws Exception {
        Path file = dir.resolve("data-cap");
        Files.writeString(file, "garbage");
        assertThat(new MonthlyDataCap(1, file, DEC).used(DEC)).isZero();
        assertThatThrownBy(() -> new MonthlyDataCap(0, file, DEC)).hasMessageContaining("1-1000000");
    }
}
