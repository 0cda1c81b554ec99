package io.iploop.server.billing;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.plans.PlansService;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Pay-as-you-go funded from the prepaid credits (docs/billing.md#pay-as-you-go), through the real
 * gateway and its local node: without credits the plan answers 402; with credits every metered
 * byte is charged at USD 5.00 per 10^9 bytes, exactly, on a consistent ledger.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@PlatformTest
class PayAsYouGoIT {

    @Autowired
    DataPlane dataPlane;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    LedgerService ledger;
    @Autowired
    PlansService plans;

    private TestOrigin origin;
    private DataPlane.Ports ports;

    @BeforeAll
    void start() throws Exception {
        origin = TestOrigin.http();
        ports = dataPlane.ports().orElseThrow();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                call("GET", "/api/proxy/locations", null, null).body().toString().contains("\"DE\""));
    }

    @AfterAll
    void stop() {
        origin.close();
    }

    private Curl.Result get(String proxyUser, int bytes) throws Exception {
        return Curl.run("-x", "http://" + proxyUser + "-country-de@127.0.0.1:" + ports.httpProxy(), origin.url("/bytes/" + bytes));
    }

    @Test
    void paygTrafficIsChargedFromTheCreditsByTheExactByteAnd402WithoutThem() throws Exception {
        JsonNode login = registerCustomer();
        UUID userId = UUID.fromString(login.at("/user/id").asString());
        String key = call("POST", "/api/proxy/keys", token(login), Map.of("name", "payg")).body().get("key").asString();
        String proxyUser = login.at("/user/customerId").asString() + ":" + key;
        plans.subscribe(userId, "payg");
        String admin = adminToken();

        await().atMost(Duration.ofSeconds(10)).until(() -> get(proxyUser, 10).status() == 402);
        assertThat(get(proxyUser, 10).header("X-IPLoop-Error")).isEqualTo("balance_exhausted");

        Response r = call("POST", "/api/billing/credits/purchase", token(login), Map.of("packageId", "credits-5"));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(call("POST", "/api/admin/billing/invoices/" + r.body().at("/invoice/id").asString() + "/mark-paid",
                admin, Map.of("paymentReference", "payg test")).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).until(() -> get(proxyUser, 1000).status() == 200);
        for (int size : new int[] {123_457, 2_000_001, 77}) {
            assertThat(get(proxyUser, size).sizeDownload()).isEqualTo(size);
        }

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            long metered = jdbc.sql("SELECT COALESCE(sum(bytes_downloaded + bytes_uploaded), 0) FROM usage_records"
                    + " WHERE user_id = :u AND success").param("u", userId).query(Long.class).single();
            long allMetered = jdbc.sql("SELECT COALESCE(sum(bytes_downloaded + bytes_uploaded), 0) FROM usage_records"
                    + " WHERE user_id = :u").param("u", userId).query(Long.class).single();
            long charged = jdbc.sql("SELECT payg_bytes_charged FROM user_plans WHERE user_id = :u AND status = 'active'")
                    .param("u", userId).query(Long.class).single();
            assertThat(metered).isGreaterThan(2_123_000);
            // Every byte after the credits arrived is charged; the refusals before carried a few bytes, not charged.
            assertThat(charged).isGreaterThanOrEqualTo(metered).isLessThanOrEqualTo(allMetered);
            BigDecimal expected = new BigDecimal("5").subtract(new BigDecimal("5.00").multiply(BigDecimal.valueOf(charged))
                    .divide(BigDecimal.TEN.pow(9), 6, RoundingMode.HALF_UP));
            assertThat(ledger.account(userId, AccountPurpose.CUSTOMER_CREDITS).balance()).isEqualByComparingTo(expected);
        });
        JsonNode report = call("GET", "/api/admin/ledger/consistency", admin, null).body();
        assertThat(report.get("consistent").asBoolean()).as(report.toString()).isTrue();
    }
}
