package io.iploop.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The configuration of the {@link PlatformTest} context, started once per test JVM (context
 * cached): embedded PostgreSQL in a temporary data directory, gateway listeners on ephemeral
 * loopback ports with loopback egress allowed, the local node (country DE), and e-mail over SMTP
 * to {@link Mailbox#SMTP}. Scheduled jobs run only on demand; a country is ultra-rare for earn
 * below 2 sharing nodes.
 *
 * <p>Applied as a context initializer (an annotation cannot carry a {@code @DynamicPropertySource}
 * method); its property source comes first, like dynamic properties. Not a Spring component.
 */
public final class SharedPlatform implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    /** The data directory (embedded PostgreSQL and all) of the shared platform, one per test JVM. */
    public static final Path DATA_DIR;
    /** Failed logins from one IP before it is blocked; low enough for a test to reach from a fake IP. */
    public static final int MAX_FAILURES_PER_IP = 30;

    /** The secret of the payment-provider webhook (docs/campaigns.md#funding) on the shared platform. */
    public static final String PAYMENT_WEBHOOK_SECRET = "test-payment-webhook-secret";

    static {
        try {
            DATA_DIR = Files.createTempDirectory("iploop-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        Map<String, Object> values = new LinkedHashMap<>();
        properties((name, value) -> values.put(name, value.get()));
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("iploop-platform-test", values));
    }

    /** The shared platform's properties: {@link #embeddedServer} in {@link #DATA_DIR} plus mail, PayPal and jobs. */
    static void properties(DynamicPropertyRegistry r) {
        embeddedServer(r, DATA_DIR);
        r.add("iploop.mail.smtp-host", () -> "127.0.0.1");
        r.add("iploop.mail.smtp-port", () -> Integer.toString(Mailbox.SMTP.getSmtp().getPort()));
        r.add("iploop.mail.smtp-starttls", () -> "false");
        r.add("iploop.accounts.max-failures-per-ip", () -> Integer.toString(MAX_FAILURES_PER_IP));
        // Every test registers its own customers (at example.com, from 127.0.0.1): no sign-up limits
        // here; SelfHostedFirstHourIT tries them on a server of its own.
        r.add("iploop.accounts.signups-per-ip", () -> "0");
        r.add("iploop.accounts.signups-per-domain", () -> "0");
        // The tests' own address acts as the reverse proxy: X-Forwarded-For from it is believed.
        r.add("iploop.trusted-proxies", () -> "127.0.0.1");
        // Jobs run when a test runs them (POST /api/admin/jobs/{name}/run), never behind its back.
        r.add("iploop.jobs.scheduling-enabled", () -> "false");
        r.add("iploop.cashouts.paypal.base-url", PayPalStub.PAYPAL::baseUrl);
        r.add("iploop.cashouts.paypal.client-id", () -> PayPalStub.CLIENT_ID);
        r.add("iploop.cashouts.paypal.client-secret", () -> PayPalStub.CLIENT_SECRET);
        // Short waits so retries and polls are due again within a test.
        r.add("iploop.cashouts.retry-base", () -> "1s");
        r.add("iploop.cashouts.retry-max", () -> "2s");
        r.add("iploop.cashouts.poll-interval", () -> "0s");
        // Webhook receivers are local http servers; retries come within a second, and failing
        // endpoints are disabled after their failure count alone.
        r.add("iploop.webhooks.allow-http", () -> "true");
        r.add("iploop.webhooks.poll-interval", () -> "100ms");
        r.add("iploop.webhooks.retry-first", () -> "200ms");
        r.add("iploop.webhooks.retry-max", () -> "500ms");
        r.add("iploop.webhooks.disable-after", () -> "0s");
        // Stripe answers from a local stand-in; the Starter plan can be subscribed by card.
        r.add("iploop.billing.stripe.secret-key", () -> StripeStub.SECRET_KEY);
        r.add("iploop.billing.stripe.webhook-secret", () -> StripeStub.WEBHOOK_SECRET);
        r.add("iploop.billing.stripe.api-base", StripeStub.STRIPE::baseUrl);
        r.add("iploop.billing.stripe.prices.starter", () -> StripeStub.STARTER_PRICE);
        r.add("iploop.billing.stripe.prices.business", () -> StripeStub.BUSINESS_PRICE);
        // Campaign domain verification asks a local DNS stub and fetches the file from a local site.
        r.add("iploop.campaigns.dns-resolver", CampaignSiteStubs::dnsAddress);
        r.add("iploop.campaigns.verification-https-port", () -> "0");
        r.add("iploop.campaigns.verification-http-port", () -> Integer.toString(CampaignSiteStubs.sitePort()));
        r.add("iploop.campaigns.check-timeout", () -> "2s");
        r.add("iploop.billing.stripe.publishable-key", () -> StripeStub.PUBLISHABLE_KEY);
        // VIES answers from a local stand-in: every VAT id is valid unless a test says otherwise.
        r.add("iploop.billing.vies.api-base", ViesStub::baseUrl);
        // The payment-provider webhook that funds campaign wallets is signed with this secret.
        r.add("iploop.campaigns.payment.webhook-secret", () -> PAYMENT_WEBHOOK_SECRET);
    }

    /**
     * The embedded server in {@code dataDir}: loopback listeners on ephemeral ports, loopback egress
     * allowed, the local node (country DE), fast usage flushes and mail polling. A {@link ServerTest}
     * with its own configuration starts from this in its {@code @DynamicPropertySource} method.
     */
    public static void embeddedServer(DynamicPropertyRegistry r, Path dataDir) {
        r.add("iploop.data-dir", dataDir::toString);
        r.add("iploop.proxy-port", () -> "0");
        r.add("iploop.socks-port", () -> "0");
        r.add("iploop.node-hub-port", () -> "0");
        r.add("iploop.tls.proxy-port", () -> "0");
        r.add("iploop.tls.socks-port", () -> "0");
        r.add("iploop.tls.node-hub-port", () -> "0");
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
