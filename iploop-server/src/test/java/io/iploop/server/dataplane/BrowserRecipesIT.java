package io.iploop.server.dataplane;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.registerUnlimitedCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import io.iploop.server.testing.SourceAddressForwarder;
import io.iploop.server.testing.Tools;
import io.iploop.server.testing.Tools.Run;
import io.iploop.tunnel.TunnelSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The browser recipes of docs/integrations/ (playwright.md, puppeteer.md, selenium.md), run as a
 * customer would run them, like {@link RecipesIT}: each test cuts its recipe out of its page, runs
 * it as a subprocess (node, or java with Selenium on the class path) driving Debian's headless
 * Chromium through the real gateway to a plain-HTTP page on loopback, and checks the lines it
 * printed (the page's title, and for Playwright and Puppeteer the exit country and session the
 * gateway's debug headers name), the sticky sessions the API lists, and the usage rows the gateway
 * recorded for the page (its size tells the page from the browser's other requests, such as the
 * favicon). A page the browser fetched without the proxy would leave no usage row. Exits: the
 * platform's local node (DE) and a real node agent in the US enrolled here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@PlatformTest
class BrowserRecipesIT {

    private static final Path DOCS = Tools.repositoryRoot().resolve("docs/integrations");
    /** An odd size, so the page's usage row stands out from the favicon's and is not cut short. */
    private static final int PAGE_BYTES = 20_011;
    private static final Duration RECIPE_TIMEOUT = Duration.ofSeconds(120);
    /**
     * The address the Selenium browser appears to come from (via {@link SourceAddressForwarder}):
     * outside 127.0.0.0/24, which IpAuthorisedAccessIT authorises and gives back, so the two
     * never claim the same range.
     */
    private static final String AUTHORISED_ADDRESS = "127.0.2.77";

    @Autowired
    DataPlane dataPlane;

    @Autowired
    JdbcClient jdbc;

    @TempDir
    Path tmp;

    private final ExecutorService originThreads = Executors.newVirtualThreadPerTaskExecutor();
    private HttpServer origin;
    private NodeAgent us;
    private DataPlane.Ports ports;

    @BeforeAll
    void pageAndExits() throws Exception {
        origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        origin.createContext("/page/", BrowserRecipesIT::page);
        origin.setExecutor(originThreads);
        origin.start();
        ports = dataPlane.ports().orElseThrow();
        String nodeKey = call("POST", "/api/nodes/keys", token(registerCustomer()), Map.of("name", "browser recipes")).body().get("key").asString();
        us = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + ports.nodeHub() + "/ws"), nodeKey, "browser-recipes-us",
                "browser-recipes-us", "US", null, "Seattle", 0, null, "ethernet", false, true, List.of(), List.of(), TunnelSettings.DEFAULTS));
        us.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> us.status().state() == AgentStatus.State.CONNECTED);
    }

    @AfterAll
    void stop() {
        us.close();
        origin.stop(0);
        originThreads.shutdownNow();
    }

    /** {@code /page/ID}: an HTML page titled "IPLoop recipe page ID" with ID in its h1, {@link #PAGE_BYTES} long. */
    private static void page(HttpExchange ex) throws IOException {
        String id = ex.getRequestURI().getPath().substring("/page/".length());
        byte[] body = html(id);
        ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    static byte[] html(String id) {
        String head = "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + title(id) + "</title></head><body><h1>" + id + "</h1><!--";
        String tail = "--></body></html>";
        return (head + "x".repeat(PAGE_BYTES - head.length() - tail.length()) + tail).getBytes(StandardCharsets.UTF_8);
    }

    static String title(String id) {
        return "IPLoop recipe page " + id;
    }

    /** A fresh customer (Enterprise: country targeting and sticky sessions), its page and the recipe's environment. */
    private record Customer(String userId, String token, String session, String pageId, Map<String, String> env) {}

    private Customer customer() {
        JsonNode c = registerUnlimitedCustomer();
        String token = token(c);
        String key = call("POST", "/api/proxy/keys", token, Map.of("name", "browser recipe")).body().get("key").asString();
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String session = "browser" + suffix;
        String pageId = "p" + suffix;
        Map<String, String> env = new HashMap<>(Map.of(
                "IPLOOP_GATEWAY", "127.0.0.1:" + ports.httpProxy(),
                "IPLOOP_CUSTOMER", c.at("/user/customerId").asString(),
                "IPLOOP_KEY", key,
                "IPLOOP_SESSION", session,
                "TARGET_PAGE", "http://127.0.0.1:" + origin.getAddress().getPort() + "/page/" + pageId,
                "CHROMIUM", Tools.chromium().toString()));
        return new Customer(c.at("/user/id").asString(), token, session, pageId, env);
    }

    /** The sticky sessions the API lists for the customer: id to country. */
    private static Map<String, String> sessions(Customer c) {
        JsonNode sessions = call("GET", "/api/proxy/sessions", c.token(), null).body().get("sessions");
        Map<String, String> byId = new HashMap<>();
        sessions.valueStream().forEach(s -> byId.put(s.get("id").asString(), s.get("country").asString()));
        return byId;
    }

    /** Successful usage rows of the page (by its size) through {@code country}, in {@code session} (null: rotating), with or without a key. */
    private long pageRows(Customer c, String country, @Nullable String session, boolean withKey) {
        return jdbc.sql("""
                SELECT count(*) FROM usage_records
                WHERE user_id = ?::uuid AND success AND target_country = ? AND target_host = '127.0.0.1'
                  AND bytes_downloaded BETWEEN ? AND ? AND session_id IS NOT DISTINCT FROM ?
                  AND (api_key_id IS NOT NULL) = ?
                """).params(c.userId(), country, PAGE_BYTES, PAGE_BYTES + 2_048, session, withKey).query(Long.class).single();
    }

    /**
     * What the Playwright and Puppeteer recipes must have done: opened the page three times, through
     * Germany browser-wide, then a German and a US sticky session each in its own context, printing
     * the exit's country and session from the gateway's debug headers; refused the wrong key with
     * the gateway's 407; and left exactly those three page loads in the usage.
     */
    private void assertPerContextRecipeWorked(Run run, Customer c) {
        assertThat(run.exitCode()).as(run.toString()).isZero();
        String title = title(c.pageId());
        assertThat(run.stdoutText().lines().toList()).as(run.toString()).containsExactly(
                "browser: 200 " + title + " via DE session -",
                "context de: 200 " + title + " via DE session " + c.session() + "_de",
                "context us: 200 " + title + " via US session " + c.session() + "_us");
        assertThat(run.stderr()).as(run.toString()).contains("refused: 407 bad_credentials");
        assertThat(sessions(c)).containsEntry(c.session() + "_de", "DE").containsEntry(c.session() + "_us", "US");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(pageRows(c, "DE", null, true)).as("the browser-wide page load's usage").isEqualTo(1);
            assertThat(pageRows(c, "DE", c.session() + "_de", true)).as("the German context's usage").isEqualTo(1);
            assertThat(pageRows(c, "US", c.session() + "_us", true)).as("the US context's usage").isEqualTo(1);
        });
    }

    @Test
    void playwright() throws Exception {
        Customer c = customer();
        Path modules = Tools.nodeModules();
        // Next to node_modules, so require("playwright-core") finds the locked version.
        Path script = Files.writeString(modules.getParent().resolve("recipe-playwright.js"),
                Tools.recipe(DOCS.resolve("playwright.md"), "playwright"));
        Run run = Tools.run(tmp, c.env(), RECIPE_TIMEOUT, "node", script.toString());

        assertPerContextRecipeWorked(run, c);
    }

    @Test
    void puppeteer() throws Exception {
        Customer c = customer();
        Path modules = Tools.nodeModules();
        Path script = Files.writeString(modules.getParent().resolve("recipe-puppeteer.js"),
                Tools.recipe(DOCS.resolve("puppeteer.md"), "puppeteer"));
        Run run = Tools.run(tmp, c.env(), RECIPE_TIMEOUT, "node", script.toString());

        assertPerContextRecipeWorked(run, c);
    }

    /**
     * The Selenium recipe sends no credentials: the customer authorises the address the browser
     * connects from (docs/ip-authorised-access.md) with a German sticky session as its targeting,
     * and the page's usage is the account's, without an API key, in that session. The browser
     * reaches the gateway through a {@link SourceAddressForwarder}, so the gateway sees {@link
     * #AUTHORISED_ADDRESS}, as it would see a customer's server.
     */
    @Test
    void selenium() throws Exception {
        Customer c = customer();
        Tools.chromedriver();
        Response set = call("PUT", "/api/account/ip-authorisations", c.token(), Map.of("entries", List.of(
                Map.of("ip", AUTHORISED_ADDRESS, "targeting", "country-de-session-" + c.session() + "-sesstype-sticky-lifetime-10"))));
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        try (SourceAddressForwarder fromAuthorisedAddress = new SourceAddressForwarder(AUTHORISED_ADDRESS,
                new InetSocketAddress("127.0.0.1", ports.httpProxy()))) {
            Path source = Tools.recipeFile(DOCS.resolve("selenium.md"), "selenium", tmp.resolve("SeleniumRecipe.java"));
            Map<String, String> env = new HashMap<>(c.env());
            env.put("IPLOOP_GATEWAY", "127.0.0.1:" + fromAuthorisedAddress.port());
            env.put("CHROMEDRIVER", Tools.chromedriver().toString());
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Run run = Tools.run(tmp, env, RECIPE_TIMEOUT, java.toString(), "-cp", Tools.testClassPath(), source.toString());

            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(run.stdoutText()).as(run.toString()).isEqualTo(title(c.pageId()) + " | " + c.pageId() + "\n");
            assertThat(sessions(c)).containsEntry(c.session(), "DE");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(pageRows(c, "DE", c.session(), false))
                    .as("the page's usage, served by IP-authorised access (no key)").isEqualTo(1));
        } finally {
            call("PUT", "/api/account/ip-authorisations", c.token(), Map.of("entries", List.of()));
        }
    }
}
