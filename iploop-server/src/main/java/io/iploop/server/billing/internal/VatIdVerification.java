package io.iploop.server.billing.internal;

import io.iploop.server.billing.BillingDetails;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks a buyer's EU VAT id against the European Commission's VIES REST service
 * (docs/billing.md#vies): {@code POST <base>/check-vat-number} with {@code countryCode} (EL for
 * Greece) and {@code vatNumber} (without the prefix), and the seller's own VAT id as requester when
 * it is registered, so VIES returns a consultation number. The answer is stored with the buyer's
 * details; only a {@code valid} answer gives reverse charge. When VIES does not answer (network
 * error, timeout, 5xx, or its {@code MS_UNAVAILABLE}/{@code SERVICE_UNAVAILABLE}/{@code TIMEOUT}/
 * {@code *_MAX_CONCURRENT_REQ} errors) the check is {@code unavailable}: VAT is charged and the
 * job {@code billing-vies-recheck} tries again. VIES is called outside database transactions, with
 * the JDK's {@link HttpClient}. Thread-safe.
 */
@Component
class VatIdVerification {

    /** The EC's endpoint (documented at https://ec.europa.eu/taxation_customs/vies/). */
    static final String DEFAULT_BASE = "https://ec.europa.eu/taxation_customs/vies/rest-api";

    private static final Logger log = LoggerFactory.getLogger(VatIdVerification.class);
    /** VIES error codes that mean "not answered now, ask again later". */
    private static final Set<String> UNAVAILABLE = Set.of("MS_UNAVAILABLE", "SERVICE_UNAVAILABLE", "TIMEOUT",
            "MS_MAX_CONCURRENT_REQ", "GLOBAL_MAX_CONCURRENT_REQ", "SERVER_BUSY");

    private final BuyerDetailsRepository details;
    private final BillingSettings settings;
    private final TransactionTemplate tx;
    private final JsonMapper json;
    private final Clock clock;
    private final URI endpoint;
    private final Duration timeout;
    private final HttpClient http;

    VatIdVerification(BuyerDetailsRepository details, BillingSettings settings, TransactionTemplate tx, JsonMapper json,
            Clock clock, @Value("${iploop.billing.vies.api-base:}") String apiBase,
            @Value("${iploop.billing.vies.timeout:10s}") Duration timeout) {
        this.details = details;
        this.settings = settings;
        this.tx = tx;
        this.json = json;
        this.clock = clock;
        String base = apiBase == null || apiBase.isBlank() ? DEFAULT_BASE : apiBase.strip();
        this.endpoint = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                + "/check-vat-number");
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /**
     * Checks the user's saved EU VAT id with VIES and stores the answer; call outside a database
     * transaction. Nothing is stored when the user saved another VAT id meanwhile.
     *
     * @return the stored check, empty without an EU VAT id
     */
    Optional<ViesCheck> verify(UUID userId) {
        BillingDetails saved = tx.execute(s -> details.find(userId).orElse(null));
        if (saved == null || saved.vatId() == null || !VatRules.EU.contains(saved.country())) {
            return Optional.empty();
        }
        ViesCheck check = lookup(saved.vatId());
        String vatId = saved.vatId();
        tx.executeWithoutResult(s -> details.saveVies(userId, vatId, check));
        Optional<ViesCheck> stored = tx.execute(s -> details.vies(userId));
        return stored == null ? Optional.empty() : stored;
    }

    /** The stored VIES check of the user's VAT id; empty without an EU VAT id. */
    Optional<ViesCheck> current(UUID userId) {
        Optional<ViesCheck> stored = tx.execute(s -> details.vies(userId));
        return stored == null ? Optional.empty() : stored;
    }

    /** Re-checks up to {@code limit} VAT ids that are pending or were unavailable. @return how many are now valid or invalid */
    int recheck(int limit) {
        var waiting = tx.execute(s -> details.awaitingVies(limit));
        int settled = 0;
        for (UUID user : waiting == null ? java.util.List.<UUID>of() : waiting) {
            if (verify(user).map(c -> !c.status().equals("unavailable")).orElse(false)) {
                settled++;
            }
        }
        return settled;
    }

    /** One VIES request for a normalised VAT id with its country prefix (e.g. {@code DE123456789}, {@code EL…}). */
    ViesCheck lookup(String vatId) {
        String country = vatId.substring(0, 2);
        String number = vatId.substring(2);
        Map<String, String> body = new LinkedHashMap<>();
        body.put("countryCode", country);
        body.put("vatNumber", number);
        BillingSettings.Vat seller = settings.vat();
        if (seller.registered() && seller.sellerVatId().length() > 2) {
            String own = seller.sellerVatId().toUpperCase(java.util.Locale.ROOT).replaceAll("[\\s.\\-]", "");
            body.put("requesterMemberStateCode", own.substring(0, 2));
            body.put("requesterNumber", own.substring(2));
        }
        HttpResponse<String> response;
        try {
            HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(timeout)
                    .header("Content-Type", "application/json").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build();
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            log.warn("VIES did not answer for {}: {}", vatId, e.toString());
            return unavailable("VIES could not be reached (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable("the VIES check was interrupted");
        }
        JsonNode answer;
        try {
            answer = json.readTree(response.body());
        } catch (JacksonException e) {
            answer = null;
        }
        String error = answer == null ? null : errorOf(answer);
        if (response.statusCode() / 100 != 2 || answer == null || !answer.path("valid").isBoolean()) {
            log.warn("VIES answered {} for {}: {}", response.statusCode(), vatId, error);
            if (error != null && !UNAVAILABLE.contains(error) && response.statusCode() / 100 == 4) {
                // e.g. INVALID_INPUT: VIES rejects the number itself.
                return new ViesCheck("invalid", null, null, clock.instant(), null, "VIES refused the number (" + error + ")");
            }
            return unavailable("VIES is unavailable (" + (error != null ? error : "HTTP " + response.statusCode()) + ")");
        }
        if (error != null && UNAVAILABLE.contains(error)) {
            return unavailable("VIES is unavailable (" + error + ")");
        }
        boolean valid = answer.path("valid").asBoolean();
        return new ViesCheck(valid ? "valid" : "invalid", blank(text(answer, "name")), blank(text(answer, "address")),
                clock.instant(), blank(text(answer, "requestIdentifier")),
                valid ? "confirmed by VIES" : "VIES does not know this VAT id as valid");
    }

    private ViesCheck unavailable(String why) {
        return new ViesCheck("unavailable", null, null, clock.instant(), null,
                why + "; VAT is charged until VIES confirms the id, which is re-checked every 15 minutes");
    }

    /** VIES's error code: {@code userError} of a check (other than VALID/INVALID), or the first of {@code errorWrappers}. */
    private static @Nullable String errorOf(JsonNode answer) {
        String user = text(answer, "userError");
        if (user != null && !user.equals("VALID") && !user.equals("INVALID")) {
            return user;
        }
        JsonNode wrappers = answer.path("errorWrappers");
        return wrappers.isArray() && !wrappers.isEmpty() ? text(wrappers.get(0), "error") : null;
    }

    private static @Nullable String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.isMissingNode() ? null : value.asString();
    }

    /** VIES answers "---" (or blank) when a member state does not give the name or address. */
    private static @Nullable String blank(@Nullable String s) {
        return s == null || s.isBlank() || s.strip().equals("---") ? null : s.strip();
    }
}
