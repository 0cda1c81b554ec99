package io.iploop.server.cashouts.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The PayPal Payouts REST API as a {@link PayoutProvider} (docs/product/cashouts.md): an OAuth2
 * client-credentials token from {@code POST /v1/oauth2/token} (cached until shortly before it
 * expires), {@code POST /v1/payments/payouts} with {@code sender_batch_header.sender_batch_id} = our
 * idempotency key, and {@code GET /v1/payments/payouts/{payout_batch_id}} for the outcome. PayPal
 * refuses a {@code sender_batch_id} used within 30 days and answers with a link to the original
 * batch, which is adopted, so a retry after a lost response never pays twice. Thread-safe.
 */
final class PayPalPayoutClient implements PayoutProvider {

    private static final Pattern BATCH_LINK = Pattern.compile("/v1/payments/payouts/([A-Za-z0-9_-]+)");

    private final URI baseUrl;
    private final String basicAuth;
    private final HttpClient http;
    private final JsonMapper json;
    private final Clock clock;
    private final Duration timeout;
    private @Nullable String token;
    private Instant tokenExpires = Instant.EPOCH;

    PayPalPayoutClient(String baseUrl, String clientId, String clientSecret, JsonMapper json, Clock clock,
            Duration timeout) {
        this.baseUrl = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.basicAuth = "Basic " + Base64.getEncoder()
                .encodeToString((clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.json = json;
        this.clock = clock;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return PAYPAL;
    }

    @Override
    public Outcome send(Payout payout) {
        String email = payout.details().get("email");
        if (email == null) {
            return new Outcome(State.FAILED, null, null, "no PayPal e-mail in the payment details");
        }
        Map<String, Object> body = Map.of(
                "sender_batch_header", Map.of(
                        "sender_batch_id", payout.idempotencyKey(),
                        "recipient_type", "EMAIL",
                        "email_subject", "You have a payout from IPLoop",
                        "email_message", "Your IPLoop earnings cash-out."),
                "items", List.of(Map.of(
                        "recipient_type", "EMAIL",
                        "amount", Map.of("value", payout.netAmount().toPlainString(), "currency", payout.currency()),
                        "receiver", email,
                        "note", "IPLoop cash-out " + payout.cashoutId(),
                        "sender_item_id", payout.cashoutId().toString())));
        HttpResponse<String> res = call(HttpRequest.newBuilder(baseUrl.resolve("v1/payments/payouts"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))));
        int status = res.statusCode();
        if (status == 200 || status == 201) {
            return outcome(json.readTree(res.body()));
        }
        if (status == 400 || status == 409 || status == 422) {
            // A duplicate sender_batch_id: PayPal links the original batch; adopt it and poll.
            Matcher m = BATCH_LINK.matcher(res.body());
            if (res.body().contains(payout.idempotencyKey()) && m.find()) {
                return new Outcome(State.PENDING, m.group(1), null, "duplicate sender_batch_id: original batch adopted");
            }
            return new Outcome(State.FAILED, null, null, "PayPal refused the payout: " + errorOf(res.body()));
        }
        throw unavailable(status, res.body());
    }

    @Override
    public Outcome poll(String reference) {
        HttpResponse<String> res = call(HttpRequest.newBuilder(baseUrl.resolve("v1/payments/payouts/" + reference))
                .GET());
        if (res.statusCode() == 200) {
            return outcome(json.readTree(res.body()));
        }
        if (res.statusCode() == 404) {
            // It accepted this batch before: a 404 now says nothing about whether it paid.
            return new Outcome(State.UNKNOWN, reference, null, "PayPal answered 404 for payout batch " + reference
                    + " it had accepted");
        }
        throw unavailable(res.statusCode(), res.body());
    }

    /** Reads a payout batch: batch_header.batch_status and the single item's transaction. */
    private static Outcome outcome(JsonNode batch) {
        JsonNode header = batch.path("batch_header");
        String batchId = header.path("payout_batch_id").asString(null);
        String batchStatus = header.path("batch_status").asString("");
        JsonNode item = batch.path("items").path(0);
        String txStatus = item.path("transaction_status").asString("");
        String txId = item.path("transaction_id").asString(null);
        if (batchStatus.equals("DENIED") || batchStatus.equals("CANCELED")) {
            return new Outcome(State.FAILED, batchId, null, "PayPal batch " + batchStatus);
        }
        switch (txStatus) {
            case "SUCCESS":
                return new Outcome(State.SUCCEEDED, batchId, txId == null ? batchId : txId, null);
            case "FAILED", "RETURNED", "BLOCKED", "REFUNDED", "REVERSED", "DENIED", "CANCELED":
                return new Outcome(State.FAILED, batchId, txId, "PayPal item " + txStatus);
            default:
                // PENDING, UNCLAIMED (receiver has 30 days to claim), ONHOLD, NEW or not yet listed
                return new Outcome(State.PENDING, batchId, txId,
                        "PayPal batch " + batchStatus + (txStatus.isEmpty() ? "" : ", item " + txStatus));
        }
    }

    private HttpResponse<String> call(HttpRequest.Builder request) {
        HttpResponse<String> res = send(request.copy().header("Authorization", "Bearer " + token()));
        if (res.statusCode() == 401) {
            synchronized (this) {
                token = null; // expired or revoked early: fetch a new one once
            }
            res = send(request.header("Authorization", "Bearer " + token()));
        }
        return res;
    }

    private synchronized String token() {
        if (token != null && clock.instant().isBefore(tokenExpires)) {
            return token;
        }
        HttpResponse<String> res = send(HttpRequest.newBuilder(baseUrl.resolve("v1/oauth2/token"))
                .header("Authorization", basicAuth)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")));
        if (res.statusCode() != 200) {
            throw unavailable(res.statusCode(), res.body());
        }
        JsonNode body = json.readTree(res.body());
        String fresh = body.path("access_token").asString(null);
        if (fresh == null) {
            throw new ProviderUnavailableException("PayPal token response without access_token", null);
        }
        long expiresIn = body.path("expires_in").asLong(300);
        token = fresh;
        tokenExpires = clock.instant().plusSeconds(Math.max(0, expiresIn - 60));
        return fresh;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(timeout).header("Accept", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ProviderUnavailableException("PayPal unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderUnavailableException("interrupted while calling PayPal", e);
        }
    }

    private static ProviderUnavailableException unavailable(int status, String body) {
        return new ProviderUnavailableException("PayPal answered HTTP " + status + ": " + errorOf(body), null);
    }

    private static String errorOf(String body) {
        String b = body.strip();
        return b.length() <= 300 ? b : b.substring(0, 300) + "…";
    }
}
