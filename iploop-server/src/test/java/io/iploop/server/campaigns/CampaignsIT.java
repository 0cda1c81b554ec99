package io.iploop.server.campaigns;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.bean;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.ledger.LedgerService;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.CampaignSiteStubs;
import io.iploop.server.testing.PlatformTest;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Campaigns (docs/campaigns.md) through the REST API and the public services on the shared
 * platform: domain verification against a local DNS server and web site, projects with their
 * validation and state machine, visit reservations and the EUR wallet under concurrent callers,
 * the price quote, and the daily re-check stopping a project whose domain lapsed.
 */
@PlatformTest
class CampaignsIT {

    private record Customer(String token, UUID id) {}

    private static Customer customer() {
        JsonNode c = registerCustomer();
        return new Customer(token(c), UUID.fromString(c.at("/user/id").asString()));
    }

    private static String site() {
        return "shop-" + UUID.randomUUID().toString().substring(0, 8) + ".example";
    }

    /** Claims {@code domain} and verifies it by its DNS TXT record; the claim's id. */
    private static String verifiedByDns(Customer c, String domain) {
        Response claim = call("POST", "/api/projects/domains", c.token(), Map.of("domain", domain));
        assertThat(claim.status()).as(claim.toString()).isEqualTo(201);
        CampaignSiteStubs.txt.put(domain, List.of("v=spf1 -all", claim.body().at("/dnsRecord/value").asString()));
        Response verified = call("POST", "/api/projects/domains/" + claim.body().get("id").asString() + "/verify", c.token(), null);
        assertThat(verified.status()).as(verified.toString()).isEqualTo(200);
        return claim.body().get("id").asString();
    }

    private static Map<String, Object> project(String name, Map<String, Object> settings) {
        return Map.of("name", name, "settings", settings);
    }

    @Test
    void domainsAreVerifiedByDnsTxtOrByTheWellKnownFile() {
        Customer c = customer();
        String domain = site();
        Response claim = call("POST", "/api/projects/domains", c.token(), Map.of("domain", " " + domain.toUpperCase() + ". "));
        assertThat(claim.status()).as(claim.toString()).isEqualTo(201);
        assertThat(claim.body().get("domain").asString()).isEqualTo(domain);
        assertThat(claim.body().get("verified").asBoolean()).isFalse();
        String token = claim.body().get("token").asString();
        assertThat(claim.body().at("/dnsRecord/value").asString()).isEqualTo("iploop-verification=" + token);
        assertThat(claim.body().at("/file/url").asString()).isEqualTo("https://" + domain + "/.well-known/iploop-verification.txt");
        String id = claim.body().get("id").asString();

        Response refused = call("POST", "/api/projects/domains/" + id + "/verify", c.token(), null);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body().at("/error/message").asString()).contains("NXDOMAIN").contains("iploop-verification=" + token);
        CampaignSiteStubs.txt.put(domain, List.of("iploop-verification=somebody-else"));
        assertThat(call("POST", "/api/projects/domains/" + id + "/verify", c.token(), null).body().at("/error/message").asString())
                .contains("none is iploop-verification=" + token);
        assertThat(call("GET", "/api/projects/domains/" + id, c.token(), null).body().get("lastError").asString())
                .contains("none is");

        CampaignSiteStubs.txt.put(domain, List.of("iploop-verification=" + token));
        Response ok = call("POST", "/api/projects/domains/" + id + "/verify", c.token(), null);
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.body().get("method").asString()).isEqualTo("dns");
        assertThat(ok.body().get("verified").asBoolean()).isTrue();

        // By file: localhost is served by the local site stub (loopback is allowed in tests only).
        Response local = call("POST", "/api/projects/domains", c.token(), Map.of("domain", "localhost"));
        String localId = local.body().get("id").asString();
        assertThat(call("POST", "/api/projects/domains/" + localId + "/verify", c.token(), null).body().at("/error/message")
                .asString()).contains("http file: the file does not contain the token");
        CampaignSiteStubs.fileTokens.add(local.body().get("token").asString());
        Response byFile = call("POST", "/api/projects/domains/" + localId + "/verify", c.token(), null);
        assertThat(byFile.status()).as(byFile.toString()).isEqualTo(200);
        assertThat(byFile.body().get("method").asString()).isEqualTo("file");
        assertThat(CampaignSiteStubs.requests).contains("/.well-known/iploop-verification.txt");

        assertThat(call("POST", "/api/projects/domains", c.token(), Map.of("domain", domain)).status()).isEqualTo(409);
        for (String bad : List.of("", "https://shop.example/", "10.0.0.1", "shop.example:8080", "*.example.com", "a..b")) {
            Response r = call("POST", "/api/projects/domains", c.token(), Map.of("domain", bad));
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.body().at("/error/field").asString()).isEqualTo("domain");
        }
        assertThat(call("GET", "/api/projects/domains", c.token(), null).body().get("domains").size()).isEqualTo(2);
        assertThat(call("DELETE", "/api/projects/domains/" + localId, c.token(), null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/projects/domains/" + localId, c.token(), null).status()).isEqualTo(404);
    }

    @Test
    void projectsOnlyTargetVerifiedDomainsAndNameTheFieldTheyRefuse() {
        Customer c = customer();
        String domain = site();
        verifiedByDns(c, domain);
        Map<String, Object> settings = Map.of("urls", List.of("https://" + domain + "/", "https://www." + domain + "/pricing"),
                "geoTargets", List.of(Map.of("country", "us", "weight", 70), Map.of("country", "DE", "weight", 30)),
                "deviceSplit", 70, "trafficSpeed", 40, "timeOnPage", "3 minutes", "bounceRate", 20, "pagesPerVisit", 3,
                "schedule", Map.of("timezone", "Europe/Berlin", "days", List.of("mon", "tue"), "hours", List.of(9, 10)),
                "futureField", Map.of("kept", true));
        Response created = call("POST", "/api/projects", c.token(), Map.of("name", "Launch test", "dailyLimit", 1000,
                "totalTarget", 5000, "expiresAt", Instant.now().plus(Duration.ofDays(30)).toString(), "settings", settings));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.body().get("status").asString()).isEqualTo("active");
        assertThat(created.body().at("/settings/futureField/kept").asBoolean()).isTrue();
        UUID id = UUID.fromString(created.body().get("id").asString());

        CampaignSettings parsed = bean(CampaignsService.class).runnableProjects(Instant.now()).stream()
                .filter(p -> p.id().equals(id)).findFirst().orElseThrow().settings();
        assertThat(parsed.geoTargets()).containsExactly(new CampaignSettings.GeoTarget("US", 70),
                new CampaignSettings.GeoTarget("DE", 30));
        assertThat(parsed.desktopPercent()).isEqualTo(70);
        assertThat(parsed.timeOnPage()).isEqualTo(Duration.ofMinutes(3));
        assertThat(parsed.pagesPerVisit()).isEqualTo(3);
        assertThat(parsed.schedule().hours()).containsExactlyInAnyOrder(9, 10);

        Map<String, Object> unverified = Map.of("urls", List.of("https://" + domain + "/", "https://evil.example/"));
        Response refused = call("POST", "/api/projects", c.token(), project("x", unverified));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().at("/error/field").asString()).isEqualTo("settings.urls[1]");
        assertThat(refused.body().at("/error/message").asString()).contains("https://evil.example/");

        record Bad(Map<String, Object> settings, String field) {}
        List<String> urls = List.of("https://" + domain + "/");
        for (Bad bad : List.of(
                new Bad(Map.of("geoTargets", List.of(Map.of("country", "US", "weight", 1), Map.of("country", "DE", "weight", 0)),
                        "urls", urls), "settings.geoTargets[1].weight"),
                new Bad(Map.of("geoTargets", List.of(Map.of("country", "USA", "weight", 1)), "urls", urls),
                        "settings.geoTargets[0].country"),
                new Bad(Map.of("trafficSpeed", 101, "urls", urls), "settings.trafficSpeed"),
                new Bad(Map.of("deviceSplit", Map.of("desktop", 70, "mobile", 20), "urls", urls), "settings.deviceSplit"),
                new Bad(Map.of("timeOnPage", "forever", "urls", urls), "settings.timeOnPage"),
                new Bad(Map.of("bounceRate", -1, "urls", urls), "settings.bounceRate"),
                new Bad(Map.of("pagesPerVisit", 0, "urls", urls), "settings.pagesPerVisit"),
                new Bad(Map.of("schedule", Map.of("hours", List.of(24)), "urls", urls), "settings.schedule.hours[0]"),
                new Bad(Map.of("schedule", Map.of("timezone", "Mars/Olympus"), "urls", urls), "settings.schedule.timezone"),
                new Bad(Map.of("urls", List.of("ftp://" + domain + "/")), "settings.urls[0]"),
                new Bad(Map.of("urls", List.of()), "settings.urls"))) {
            Response r = call("POST", "/api/projects", c.token(), project("bad", bad.settings()));
            assertThat(r.status()).as(bad.field() + ": " + r).isEqualTo(400);
            assertThat(r.body().at("/error/field").asString()).isEqualTo(bad.field());
        }
        assertThat(call("POST", "/api/projects", c.token(), Map.of("name", "x", "dailyLimit", -1, "settings", Map.of("urls", urls)))
                .body().at("/error/field").asString()).isEqualTo("dailyLimit");
        assertThat(call("POST", "/api/projects", c.token(), Map.of("name", "x", "settings", List.of()))
                .body().at("/error/field").asString()).isEqualTo("settings");
        assertThat(call("POST", "/api/projects", c.token(), Map.of("name", "x", "expiresAt", "2020-01-01T00:00:00Z",
                "settings", Map.of("urls", urls))).body().at("/error/field").asString()).isEqualTo("expiresAt");
        assertThat(call("GET", "/api/projects", c.token(), null).body().get("projects").size())
                .as("nothing written by refused requests").isEqualTo(1);
    }

    @Test
    void statusFollowsTheStateMachine() {
        Customer c = customer();
        String domain = site();
        verifiedByDns(c, domain);
        Map<String, Object> settings = Map.of("urls", List.of("https://" + domain + "/"));
        String id = call("POST", "/api/projects", c.token(), Map.of("name", "p", "status", "paused", "settings", settings))
                .body().get("id").asString();
        assertThat(call("GET", "/api/projects/" + id, c.token(), null).body().get("status").asString()).isEqualTo("paused");
        for (String[] step : new String[][] {{"active", "200"}, {"stopped", "200"}, {"paused", "409"}, {"active", "200"},
                {"completed", "400"}, {"bogus", "400"}}) {
            Response r = call("PUT", "/api/projects/" + id, c.token(), Map.of("name", "p", "status", step[0], "settings", settings));
            assertThat(r.status()).as(step[0] + ": " + r).isEqualTo(Integer.parseInt(step[1]));
        }
        CampaignsService service = bean(CampaignsService.class);
        assertThat(service.changeStatusBySystem(UUID.fromString(id), ProjectStatus.COMPLETED, "Target reached.")).isTrue();
        Response done = call("GET", "/api/projects/" + id, c.token(), null);
        assertThat(done.body().get("status").asString()).isEqualTo("completed");
        assertThat(done.body().get("statusReason").asString()).isEqualTo("Target reached.");
        assertThat(call("PUT", "/api/projects/" + id, c.token(), Map.of("name", "p", "status", "active", "settings", settings))
                .status()).isEqualTo(409);
        assertThat(call("DELETE", "/api/projects/" + id, c.token(), null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/projects/" + id, c.token(), null).status()).isEqualTo(404);
    }

    @Test
    void concurrentReservationsNeverExceedTheDailyLimitOrTheTotalTarget() throws Exception {
        Customer c = customer();
        String domain = site();
        verifiedByDns(c, domain);
        UUID id = UUID.fromString(call("POST", "/api/projects", c.token(), Map.of("name", "load", "dailyLimit", 50,
                "totalTarget", 120, "settings", Map.of("urls", List.of("https://" + domain + "/")))).body().get("id").asString());
        CampaignsService service = bean(CampaignsService.class);
        Instant day1 = Instant.parse("2030-01-01T10:00:00Z");
        assertThat(drain(service, id, day1)).isEqualTo(50);
        assertThat(drain(service, id, day1.plus(Duration.ofDays(1)))).isEqualTo(50);
        service.releaseVisits(id, 5, day1.plus(Duration.ofDays(2)));
        assertThat(drain(service, id, day1.plus(Duration.ofDays(2)))).isEqualTo(25);
        VisitReservation after = service.reserveVisits(id, 1, day1.plus(Duration.ofDays(3)));
        assertThat(after.granted()).isZero();
        assertThat(after.visitsTotal()).isEqualTo(120);
        assertThat(after.targetReached()).isTrue();
        Response p = call("GET", "/api/projects/" + id, c.token(), null);
        assertThat(p.body().get("visitsTotal").asLong()).isEqualTo(120);
    }

    /** Eight threads reserve 7 visits at a time until nothing more is granted; the visits granted in all. */
    private static int drain(CampaignsService service, UUID id, Instant now) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit((Callable<Integer>) () -> {
                    int sum = 0;
                    int granted;
                    do {
                        granted = service.reserveVisits(id, 7, now).granted();
                        sum += granted;
                    } while (granted > 0);
                    return sum;
                }));
            }
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get();
            }
            return total;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theWalletIsCreditedAndSpentOnceAndNeverOverdrawn() throws Exception {
        Customer c = customer();
        String domain = site();
        verifiedByDns(c, domain);
        UUID project = UUID.fromString(call("POST", "/api/projects", c.token(),
                project("paid", Map.of("urls", List.of("https://" + domain + "/")))).body().get("id").asString());
        CampaignWalletService wallet = bean(CampaignWalletService.class);
        assertThat(call("GET", "/api/campaigns/wallet", c.token(), null).body().get("balance").decimalValue()).isZero();

        String key = "campaign-topup:test:" + UUID.randomUUID();
        WalletCredit first = wallet.credit(c.id(), new BigDecimal("10.00"), key, "Top-up", Map.of("provider", "test"));
        WalletCredit replay = wallet.credit(c.id(), new BigDecimal("10.00"), key, "Top-up", Map.of("provider", "test"));
        assertThat(first.replayed()).isFalse();
        assertThat(replay.replayed()).isTrue();
        assertThat(replay.transactionId()).isEqualTo(first.transactionId());
        Response balance = call("GET", "/api/campaigns/wallet", c.token(), null);
        assertThat(balance.body().get("currency").asString()).isEqualTo("EUR");
        assertThat(balance.body().get("balance").decimalValue()).isEqualByComparingTo("10");

        // 10,000 visits at EUR 0.40 per 1,000 = EUR 4.00, raced by 6 callers with one key: charged once.
        String spendKey = "campaign-spend:" + project + ":1";
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<WalletSpend>> spends = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            spends.add(pool.submit(() -> wallet.spend(project, 10_000, new BigDecimal("0.40"), spendKey)));
        }
        int fresh = 0;
        for (Future<WalletSpend> f : spends) {
            WalletSpend s = f.get();
            assertThat(s.charged()).isTrue();
            fresh += s.replayed() ? 0 : 1;
        }
        pool.shutdown();
        assertThat(fresh).isEqualTo(1);
        assertThat(wallet.balance(c.id())).isEqualByComparingTo("6");

        WalletSpend tooMuch = wallet.spend(project, 20_000, new BigDecimal("0.40"), "campaign-spend:" + project + ":2");
        assertThat(tooMuch.charged()).isFalse();
        assertThat(tooMuch.amount()).isEqualByComparingTo("8");
        assertThat(wallet.balance(c.id())).isEqualByComparingTo("6");
        WalletSpend rest = wallet.spend(project, 15_000, new BigDecimal("0.40"), "campaign-spend:" + project + ":3");
        assertThat(rest.charged()).isTrue();
        assertThat(wallet.balance(c.id())).isEqualByComparingTo("0");
        assertThat(bean(LedgerService.class).checkConsistency().consistent()).isTrue();
    }

    @Test
    void quoteFollowsTheCurveAndRefusesBadAmounts() {
        Customer c = customer();
        Response q = call("GET", "/api/billing/quote?amount=500", c.token(), null);
        assertThat(q.status()).isEqualTo(200);
        assertThat(q.body().get("estimated_visits").asLong()).isEqualTo(1_250_000);
        assertThat(q.body().get("rate").decimalValue()).isEqualByComparingTo("0.40");
        assertThat(q.body().get("currency").asString()).isEqualTo("EUR");
        assertThat(call("GET", "/api/billing/quote?amount=398.50", c.token(), null).body().get("rate").decimalValue())
                .isEqualByComparingTo("0.43");
        for (String bad : List.of("", "?amount=", "?amount=-1", "?amount=abc", "?amount=1e999999", "?amount=1.001")) {
            Response r = call("GET", "/api/billing/quote" + bad, c.token(), null);
            assertThat(r.status()).as(bad + ": " + r).isEqualTo(400);
            assertThat(r.body().at("/error/field").asString()).isEqualTo("amount");
        }
    }

    @Test
    void aLapsedDomainStopsItsProjectsWithANotification() {
        Customer c = customer();
        String domain = site();
        verifiedByDns(c, domain);
        String id = call("POST", "/api/projects", c.token(), project("lapse",
                Map.of("urls", List.of("https://" + domain + "/")))).body().get("id").asString();
        assertThat(call("DELETE", "/api/projects/domains/" + call("GET", "/api/projects/domains", c.token(), null)
                .body().at("/domains/0/id").asString(), c.token(), null).status()).as("in use").isEqualTo(409);

        CampaignSiteStubs.txt.remove(domain);
        String admin = adminToken();
        Response first = call("POST", "/api/admin/jobs/campaigns-domain-recheck/run", admin, null);
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(call("GET", "/api/projects/" + id, c.token(), null).body().get("status").asString())
                .as("one failed check is not a lapse").isEqualTo("active");
        assertThat(call("POST", "/api/admin/jobs/campaigns-domain-recheck/run", admin, null).status()).isEqualTo(200);
        Response stopped = call("GET", "/api/projects/" + id, c.token(), null);
        assertThat(stopped.body().get("status").asString()).isEqualTo("stopped");
        assertThat(stopped.body().get("statusReason").asString()).contains(domain).contains("lapsed");
        JsonNode claim = call("GET", "/api/projects/domains", c.token(), null).body().at("/domains/0");
        assertThat(claim.get("verified").asBoolean()).isFalse();
        assertThat(claim.get("lapsedAt").isNull()).isFalse();
        assertThat(call("GET", "/api/notifications", c.token(), null).body().toString()).contains("campaign_stopped");
        assertThat(call("PUT", "/api/projects/" + id, c.token(), Map.of("name", "lapse", "status", "active",
                "settings", Map.of("urls", List.of("https://" + domain + "/")))).body().at("/error/field").asString())
                .isEqualTo("settings.urls[0]");
    }
}
