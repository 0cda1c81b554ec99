package io.iploop.server.earn.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.ProfileService;
import io.iploop.server.accounts.UserStatus;
import io.iploop.server.earn.EarnDevice;
import io.iploop.server.earn.EarnService;
import io.iploop.server.jobs.ScheduledJob;
import io.iploop.server.mail.MailService;
import io.iploop.server.mail.OutgoingMail;
import io.iploop.server.nodes.DeviceTrafficCounts;
import io.iploop.server.nodes.NodesService;
import io.iploop.server.usage.NodeTraffic;
import io.iploop.server.usage.UsageService;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code earn-daily-digest}, daily 06:00 UTC (docs/operator-transparency.md#daily-digest): mails every
 * active account that turned the daily digest on and has at least one device a summary of the
 * previous UTC day per device: metered bytes, top destination hosts with ports, credits credited
 * that day and time connected. At most once per account and day (the key of
 * {@code earn_daily_digests}, inserted in the transaction that puts the mail into the outbox), so a
 * repeated run, an admin's run and a second instance (ShedLock aside) send nothing twice. One
 * account's failure is logged and does not stop the others. Thread-safe.
 */
@Component
class DailyDigestJob implements ScheduledJob {

    private static final Logger log = LoggerFactory.getLogger(DailyDigestJob.class);
    /** Top hosts listed per device. */
    static final int TOP_HOSTS = 5;
    /** Subscribers read per page. */
    private static final int PAGE = 500;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final ProfileService profiles;
    private final AccountsService accounts;
    private final EarnService earn;
    private final NodesService nodes;
    private final UsageService usage;
    private final MailService mail;
    private final Clock clock;

    DailyDigestJob(JdbcClient jdbc, TransactionTemplate tx, ProfileService profiles, AccountsService accounts,
            EarnService earn, NodesService nodes, UsageService usage, MailService mail, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.profiles = profiles;
        this.accounts = accounts;
        this.earn = earn;
        this.nodes = nodes;
        this.usage = usage;
        this.mail = mail;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "earn-daily-digest";
    }

    @Override
    public String cron() {
        return "0 0 6 * * *";
    }

    @Override
    public Duration lockAtMostFor() {
        return Duration.ofMinutes(30);
    }

    @Override
    public String run() {
        return digest(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).minusDays(1));
    }

    /** Sends the digests of UTC day {@code day} not sent yet; returns the one-line summary. */
    String digest(LocalDate day) {
        int sent = 0;
        int failed = 0;
        @org.jspecify.annotations.Nullable UUID after = null;
        while (true) {
            List<UUID> page = profiles.dailyDigestSubscribers(after, PAGE);
            for (UUID userId : page) {
                try {
                    sent += send(userId, day) ? 1 : 0;
                } catch (RuntimeException e) {
                    failed++;
                    log.warn("daily digest for account {} and {} failed (retried on the next run): {}", userId, day,
                            e.toString());
                }
            }
            if (page.size() < PAGE) {
                break;
            }
            after = page.getLast();
        }
        return "sent " + sent + " daily digests for " + day + (failed == 0 ? "" : ", " + failed + " failed");
    }

    private boolean send(UUID userId, LocalDate day) {
        if (alreadySent(userId, day)) {
            return false;
        }
        Optional<Account> account = accounts.find(userId).filter(a -> a.status() == UserStatus.ACTIVE);
        if (account.isEmpty()) {
            return false;
        }
        List<EarnDevice> devices = earn.devices(userId);
        if (devices.isEmpty()) {
            return false;
        }
        String body = body(userId, day, devices);
        Boolean mailed = tx.execute(status -> {
            int inserted = jdbc.sql("""
                            INSERT INTO earn_daily_digests (user_id, day) VALUES (:userId, :day)
                            ON CONFLICT DO NOTHING""")
                    .param("userId", userId).param("day", Date.valueOf(day)).update();
            if (inserted == 0) {
                return false;
            }
            mail.enqueue(new OutgoingMail(account.get().email(), "IPLoop: your devices on " + day, body));
            return true;
        });
        return Boolean.TRUE.equals(mailed);
    }

    private boolean alreadySent(UUID userId, LocalDate day) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM earn_daily_digests WHERE user_id = :userId AND day = :day)")
                .param("userId", userId).param("day", Date.valueOf(day)).query(Boolean.class).single();
    }

    /** The plain-text digest: one block per device, then the totals. */
    String body(UUID userId, LocalDate day, List<EarnDevice> devices) {
        Map<UUID, Long> credits = creditsOn(userId, day);
        StringBuilder b = new StringBuilder("Your devices on ").append(day).append(" (UTC):\n");
        long totalBytes = 0;
        long totalCredits = 0;
        for (EarnDevice d : devices) {
            long bytes = usage.nodeDailyBytes(d.id(), day, day).getOrDefault(day, 0L);
            long c = credits.getOrDefault(d.id(), 0L);
            List<DeviceTrafficCounts> counts = nodes.trafficCounts(userId, d.id(), day, day);
            long online = counts.isEmpty() ? 0 : counts.getFirst().onlineSeconds();
            totalBytes += bytes;
            totalCredits += c;
            b.append("\n").append(d.name() == null ? d.deviceId() : d.name()).append("\n");
            b.append("  Bytes: ").append(count(bytes)).append("\n");
            b.append("  Credits: ").append(count(c)).append("\n");
            b.append("  Uptime: ").append(uptime(online)).append("\n");
            List<NodeTraffic> hosts = usage.nodeTraffic(d.id(), day, day);
            if (!hosts.isEmpty()) {
                b.append("  Top hosts:\n");
                hosts.stream().limit(TOP_HOSTS).forEach(h -> b.append("    ").append(h.destination()).append("  ")
                        .append(count(h.bytes())).append(" bytes\n"));
            }
        }
        b.append("\nAll devices: ").append(count(totalBytes)).append(" bytes, ").append(count(totalCredits))
                .append(" credits.\n");
        b.append("\nBytes are metered by the gateway at the customers' side; credits are those credited on that day. "
                + "Details per host and port, and your agent's own count, are on each device's traffic page. You get "
                + "this e-mail because the daily device digest is on; turn it off on the settings page.\n");
        return b.toString();
    }

    /** Whole credits of the account's earnings whose period ended on {@code day}, per device. */
    private Map<UUID, Long> creditsOn(UUID userId, LocalDate day) {
        Map<UUID, Long> out = new HashMap<>();
        jdbc.sql("""
                        SELECT node_id, sum(total_credits) AS credits FROM device_earnings
                        WHERE user_id = :userId AND period_end >= :from AND period_end < :to GROUP BY node_id""")
                .param("userId", userId)
                .param("from", Timestamp.from(day.atStartOfDay(ZoneOffset.UTC).toInstant()))
                .param("to", Timestamp.from(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()))
                .query(rs -> {
                    out.put(rs.getObject("node_id", UUID.class), rs.getLong("credits"));
                });
        return out;
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** {@code 5 h 07 min}. */
    static String uptime(long seconds) {
        return String.format(Locale.ROOT, "%d h %02d min", seconds / 3600, seconds % 3600 / 60);
    }
}
