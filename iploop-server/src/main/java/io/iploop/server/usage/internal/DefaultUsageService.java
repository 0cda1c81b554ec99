package io.iploop.server.usage.internal;

import io.iploop.server.usage.UsageException;
import io.iploop.server.usage.UsageService;
import io.iploop.server.usage.UsageSummary;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.springframework.stereotype.Service;

/** The usage service over {@link UsageRepository}. Thread-safe. */
@Service
class DefaultUsageService implements UsageService {

    private static final BigDecimal BYTES_PER_GB = BigDecimal.valueOf(1_000_000_000L);

    private final UsageRepository usage;

    DefaultUsageService(UsageRepository usage) {
        this.usage = usage;
    }

    @Override
    public UsageSummary summary(UUID userId, int days) {
        if (days < 1 || days > MAX_DAYS) {
            throw new UsageException(UsageException.Reason.INVALID_PERIOD,
                    "days: " + days + " (expected: 1-" + MAX_DAYS + ")", "days");
        }
        Instant to = Instant.now();
        Instant from = to.minus(Duration.ofDays(days));
        UsageRepository.Totals t = usage.totals(userId, from);
        long total = t.bytesUploaded() + t.bytesDownloaded();
        BigDecimal rate = t.streams() == 0 ? BigDecimal.ZERO.setScale(2)
                : BigDecimal.valueOf(t.successes() * 100L).divide(BigDecimal.valueOf(t.streams()), 2, RoundingMode.HALF_UP);
        return new UsageSummary(days, from, to, t.bytesUploaded(), t.bytesDownloaded(), total,
                BigDecimal.valueOf(total).divide(BYTES_PER_GB, 3, RoundingMode.HALF_UP), t.requests(), t.streams(),
                t.successes(), t.streams() - t.successes(), rate, t.avgDurationMs());
    }
}
