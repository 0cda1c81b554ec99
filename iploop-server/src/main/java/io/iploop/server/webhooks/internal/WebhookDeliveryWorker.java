package io.iploop.server.webhooks.internal;

import io.iploop.server.accounts.AccountsService;
import io.iploop.server.mail.MailService;
import io.iploop.server.mail.OutgoingMail;
import io.iploop.server.platform.OutboxDelivery;
import io.iploop.server.platform.RetryBackoff;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivers due webhook events every {@code iploop.webhooks.poll-interval} through the shared
 * {@link OutboxDelivery} loop (docs/integrations/webhooks.md#delivery): one signed {@code POST} per
 * attempt with the JDK client (connect and whole-request timeouts, no redirects), the destination
 * re-checked against the egress policy first; any 2xx is a success. Each attempt is logged; failed
 * ones are retried on the {@link RetryBackoff} of the settings until {@code maxAttempts}, and an
 * endpoint that keeps failing is disabled and its owner mailed. Runs on the scheduler thread; the
 * attempt state lives in the claimed {@link Attempt}, so concurrent runs (a test calling
 * {@link #deliverDue}) never share one.
 */
@Component
class WebhookDeliveryWorker implements SchedulingConfigurer, OutboxDelivery.Outbox<WebhookDeliveryWorker.Attempt> {

    private static final int BATCH = 10;
    private static final int BODY_EXCERPT = 1000;

    private final WebhookRepository repository;
    private final WebhookDestinations destinations;
    private final WebhooksSettings settings;
    private final AccountsService accounts;
    private final MailService mail;
    private final Clock clock;
    private final HttpClient http;
    private final OutboxDelivery<Attempt> delivery;

    WebhookDeliveryWorker(WebhookRepository repository, WebhookDestinations destinations, WebhooksSettings settings,
            AccountsService accounts, MailService mail, Clock clock, TransactionTemplate tx) {
        this.repository = repository;
        this.destinations = destinations;
        this.settings = settings;
        this.accounts = accounts;
        this.mail = mail;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        // a claim outlives the slowest attempt of a batch
        Duration lease = settings.requestTimeout().plus(settings.connectTimeout()).multipliedBy(BATCH + 1L);
        this.delivery = new OutboxDelivery<>("Webhook", this,
                new RetryBackoff(settings.retryFirst(), 4, settings.retryMax()), settings.maxAttempts(), BATCH,
                lease, tx);
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(this::deliverDue, settings.pollInterval());
    }

    /** Delivers one batch of due events; returns how many were attempted. */
    int deliverDue() {
        return delivery.deliverDue();
    }

    @Override
    public List<Attempt> claimDue(int limit, Duration lease) {
        return repository.claimDue(limit, lease).stream().map(Attempt::new).toList();
    }

    @Override
    public int failedAttempts(Attempt item) {
        return item.pending.attempts();
    }

    @Override
    public void deliver(Attempt a) throws Exception {
        long start = System.nanoTime();
        try {
            URI uri = URI.create(a.pending.url());
            String denial = destinations.denial(uri);
            if (denial != null) {
                throw new IOException("destination refused: " + denial);
            }
            long timestamp = clock.instant().getEpochSecond();
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(settings.requestTimeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "IPLoop-Webhooks/1")
                    .header("webhook-id", a.pending.eventId())
                    .header("webhook-timestamp", Long.toString(timestamp))
                    .header("webhook-signature",
                            WebhookSignature.sign(a.pending.secret(), a.pending.eventId(), timestamp, a.pending.payload()))
                    .POST(HttpRequest.BodyPublishers.ofString(a.pending.payload(), StandardCharsets.UTF_8))
                    .build();
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            a.statusCode = response.statusCode();
            try (InputStream body = response.body()) {
                String head = new String(body.readNBytes(BODY_EXCERPT), StandardCharsets.UTF_8);
                a.responseBody = head.isEmpty() ? null : head;
            }
            if (a.statusCode < 200 || a.statusCode > 299) {
                throw new IOException("HTTP " + a.statusCode);
            }
        } catch (HttpTimeoutException e) {
            a.error = "timeout: " + e.getMessage();
            throw e;
        } catch (Exception e) {
            a.error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw e;
        } finally {
            a.durationMs = (int) Math.min(Integer.MAX_VALUE, (System.nanoTime() - start) / 1_000_000);
        }
    }

    @Override
    public void delivered(Attempt a) {
        repository.logAttempt(a.pending, a.statusCode, a.durationMs, null, a.responseBody);
        repository.markDelivered(a.pending);
    }

    @Override
    public void failed(Attempt a, Exception error, @Nullable Duration retryIn) {
        repository.logAttempt(a.pending, a.statusCode, a.durationMs, abbreviate(a.error), a.responseBody);
        repository.markFailed(a.pending, retryIn);
        String reason = "disabled after " + settings.disableAfterFailures() + " or more consecutive failed deliveries"
                + " over at least " + settings.disableAfter().toHours() + " h; last error: " + abbreviate(a.error);
        if (repository.countFailure(a.pending.endpointId(), settings.disableAfterFailures(), settings.disableAfter(),
                reason)) {
            accounts.find(a.pending.userId()).ifPresent(owner -> mail.enqueue(new OutgoingMail(owner.email(),
                    "Your IPLoop webhook endpoint was disabled",
                    "Deliveries to your webhook endpoint\n\n  " + a.pending.url() + "\n\nhave failed "
                            + settings.disableAfterFailures() + " times in a row or more, so it was disabled.\n"
                            + "Last error: " + abbreviate(a.error) + "\n\n"
                            + "Fix the receiver, then enable the endpoint again in the dashboard or with\n"
                            + "PATCH /api/webhooks/" + a.pending.endpointId() + " {\"enabled\": true}.\n")));
        }
    }

    private static String abbreviate(@Nullable String s) {
        if (s == null) {
            return "unknown error";
        }
        return s.length() <= 500 ? s : s.substring(0, 500);
    }

    /** One claimed event and what its attempt found out; used by one thread at a time. */
    static final class Attempt {

        final WebhookRepository.Pending pending;
        @Nullable Integer statusCode;
        int durationMs;
        @Nullable String error;
        @Nullable String responseBody;

        Attempt(WebhookRepository.Pending pending) {
            this.pending = pending;
        }

        @Override
        public String toString() {
            return pending.toString();
        }
    }
}
