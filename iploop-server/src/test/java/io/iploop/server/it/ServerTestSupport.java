package io.iploop.server.it;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import io.iploop.server.plans.PlansService;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The shared test context, started once per test JVM (context cached): embedded PostgreSQL in a
 * temporary data directory, gateway listeners on ephemeral loopback ports with loopback egress
 * allowed, the local node (country DE), and e-mail over SMTP to an in-process GreenMail server.
 * Scheduled jobs run only on demand; a country is ultra-rare for earn below 2 sharing nodes.
 */
public abstract class ServerTestSupport extends ApiTestSupport {

    @Autowired
    private PlansService plansService;

    /**
     * A fresh customer moved to the Enterprise plan (no rate, daily or byte limits), for tests about
     * something other than plan limits (those are PlanLimitsIT's).
     */
    public JsonNode registerUnlimitedCustomer() {
        JsonNode customer = registerCustomer();
        plansService.subscribe(UUID.fromString(customer.at("/user/id").asString()), "enterprise");
        return customer;
    }


    protected static final Path DATA_DIR;
    /** A real SMTP server for the whole test JVM, like the cached context that sends to it. */
    protected static final GreenMail SMTP = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    /**
     * A local stand-in for the PayPal REST API (OAuth2 token, Payouts) for the whole test JVM; tests
     * stub the answers they need (see CashoutPayPalIT).
     */
    protected static final WireMockServer PAYPAL = new WireMockServer(WireMockConfiguration.options().dynamicPort()
            .bindAddress("127.0.0.1"));
    /** Failed logins from one IP before it is blocked; low enough for a test to reach from a fake IP. */
    static final int MAX_FAILURES_PER_IP = 30;

    static {
        try {
            DATA_DIR = Files.createTempDirectory("iploop-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SMTP.start();
        PAYPAL.start();
    }

    @DynamicPropertySource
    protected static void properties(DynamicPropertyRegistry r) {
        embeddedServer(r, DATA_DIR);
        r.add("iploop.mail.smtp-host", () -> "127.0.0.1");
        r.add("iploop.mail.smtp-port", () -> Integer.toString(SMTP.getSmtp().getPort()));
        r.add("iploop.mail.smtp-starttls", () -> "false");
        r.add("iploop.accounts.max-failures-per-ip", () -> Integer.toString(MAX_FAILURES_PER_IP));
        // The tests' own address acts as the reverse proxy: X-Forwarded-For from it is believed.
        r.add("iploop.trusted-proxies", () -> "127.0.0.1");
        // Jobs run when a test runs them (POST /api/admin/jobs/{name}/run), never behind its back.
        r.add("iploop.jobs.scheduling-enabled", () -> "false");
        r.add("iploop.cashouts.paypal.base-url", PAYPAL::baseUrl);
        r.add("iploop.cashouts.paypal.client-id", () -> "test-client");
        r.add("iploop.cashouts.paypal.client-secret", () -> "test-secret");
        // Short waits so retries and polls are due again within a test.
        r.add("iploop.cashouts.retry-base", () -> "1s");
        r.add("iploop.cashouts.retry-max", () -> "2s");
        r.add("iploop.cashouts.poll-interval", () -> "0s");
    }

    /**
     * The embedded server in {@code dataDir}: loopback listeners on ephemeral ports, loopback egress
     * allowed, the local node (country DE), fast usage flushes and mail polling.
     */
    protected static void embeddedServer(DynamicPropertyRegistry r, Path dataDir) {
        r.add("iploop.data-dir", dataDir::toString);
        r.add("iploop.proxy-port", () -> "0");
        r.add("iploop.socks-port", () -> "0");
        r.add("iploop.node-hub-port", () -> "0");
        r.add("iploop.bind-address", () -> "127.0.0.1");
        r.add("iploop.egress-allow-loopback", () -> "true");
        r.add("iploop.local-node", () -> "true");
        r.add("iploop.local-node-country", () -> "de");
        r.add("iploop.usage-flush-interval", () -> "200ms");
        r.add("server.address", () -> "127.0.0.1");
        r.add("iploop.mail.poll-interval", () -> "100ms");
        r.add("iploop.accounts.public-url", () -> "http://dashboard.test");
        // Test fleets are small: a country counts as ultra-rare (3.0x) below 2 sharing nodes, not 10.
        r.add("iploop.earn.ultra-rare-below-nodes", () -> "2");
    }

}
