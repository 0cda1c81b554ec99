package io.iploop.server.plans;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.Mailbox.awaitMail;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.spi.UsageSink;
import io.iploop.server.accounts.NotificationPreferences;
import io.iploop.server.accounts.ProfileService;
import io.iploop.server.jobs.JobsService;
import io.iploop.server.testing.Mailbox;
import io.iploop.server.testing.PlatformTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The weekly usage summary (docs/plans-and-alerts.md#weekly-usage-summary): the
 * {@code plans-weekly-summary} job mails accounts with traffic once per week, through the outbox to
 * the test SMTP server, and nothing to an account that turned the weekly report off.
 */
@PlatformTest
class WeeklySummaryIT {

    @Autowired
    JobsService jobs;
    @Autowired
    UsageSink usageSink;
    @Autowired
    ProfileService profiles;

    private record Customer(UUID id, String email) {}

    private Customer withTraffic() throws Exception {
        JsonNode c = registerCustomer();
        UUID id = UUID.fromString(c.at("/user/id").asString());
        UUID key = UUID.fromString(call("POST", "/api/proxy/keys", token(c), Map.of("name", "weekly")).body()
                .get("id").asString());
        Instant now = Instant.now();
        usageSink.write(List.of(new UsageRecord(UUID.randomUUID(), id, key, null, null, 1_500_000, 500_000, 3, "DE",
                null, "weekly.example", "http", true, null, now.minusSeconds(60), now, 200)));
        return new Customer(id, c.at("/user/email").asString());
    }

    private long summaries(Customer c) {
        return Mailbox.SMTP.getReceivedMessagesForDomain(c.email()).length == 0 ? 0
                : java.util.Arrays.stream(Mailbox.SMTP.getReceivedMessagesForDomain(c.email())).filter(m -> {
                    try {
                        return m.getSubject().contains("your week in traffic");
                    } catch (jakarta.mail.MessagingException e) {
                        throw new IllegalStateException(e);
                    }
                }).count();
    }

    @Test
    void accountsWithTrafficGetOneSummaryAWeekUnlessTheyOptedOut() throws Exception {
        Customer reader = withTraffic();
        Customer optedOut = withTraffic();
        profiles.setNotificationPreferences(optedOut.id(), new NotificationPreferences(true, false, true, false));

        jobs.runNow("plans-weekly-summary");
        jobs.runNow("plans-weekly-summary");

        String body = awaitMail(reader.email(), "your week in traffic", 1);
        assertThat(body).contains("Last 7 days: 0.002 GB in 3 requests").contains("Plan Trial");
        Thread.sleep(1500); // the outbox delivers within a second: a second mail would be here by now
        assertThat(summaries(reader)).isEqualTo(1);
        assertThat(summaries(optedOut)).isZero();
    }
}
