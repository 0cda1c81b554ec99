package io.iploop.server.dataplane;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.registerUnlimitedCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.TestOrigin;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.testing.PlatformTest;
import io.iploop.server.testing.Tools;
import io.iploop.server.testing.Tools.Run;
import io.iploop.tunnel.TunnelSettings;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The proxy recipes of docs/integrations/proxy-recipes.md, run as a customer would run them: each
 * test cuts its recipe out of the page (the fenced block marked {@code recipe: NAME}, so page and
 * test cannot drift apart), runs it as a subprocess with the environment variables the page
 * documents pointing at the real gateway, and checks the bytes it printed against the local
 * origin's (a plain-HTTP page through a German exit, then an HTTPS page through a sticky session),
 * what it says about the refusal with a wrong key, the sticky session the API lists, and the usage
 * the gateway recorded for those two requests. Exits: a real node agent in Germany enrolled here,
 * next to the platform's local node (also DE).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@PlatformTest
class RecipesIT {

    private static final Path PAGE = Tools.repositoryRoot().resolve("docs/integrations/proxy-recipes.md");
    /** Odd sizes, so a body cut short or padded shows. */
    private static final int HTTP_BODY = 50_001;
    private static final int HTTPS_BODY = 70_003;
    private static final Duration RECIPE_TIMEOUT = Duration.ofSeconds(60);

    @Autowired
    DataPlane dataPlane;

    @Autowired
    JdbcClient jdbc;

    @TempDir
    Path tmp;

    private TestOrigin http;
    private TestOrigin https;
    private NodeAgent agent;
    private DataPlane.Ports ports;

    @BeforeAll
    void originsAndAnExit() throws Exception {
        http = TestOrigin.http();
        https = TestOrigin.https();
        ports = dataPlane.ports().orElseThrow();
        String nodeKey = call("POST", "/api/nodes/keys", token(registerCustomer()), Map.of("name", "recipes")).body().get("key").asString();
        agent = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + ports.nodeHub() + "/ws"), nodeKey, "recipes-de",
                "recipes-de", "DE", null, "Leipzig", 0, null, "ethernet", false, true, List.of(), List.of(), TunnelSettings.DEFAULTS));
        agent.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> agent.status().state() == AgentStatus.State.CONNECTED);
    }

    @AfterAll
    void stop() {
        agent.close();
        http.close();
        https.close();
    }

    /** A fresh customer (Enterprise: country targeting and sticky sessions included) and the recipe's environment. */
    private record Customer(String userId, String token, String session, Map<String, String> env) {}

    private Customer customer() {
        JsonNode c = registerUnlimitedCustomer();
        String token = token(c);
        String key = call("POST", "/api/proxy/keys", token, Map.of("name", "recipe")).body().get("key").asString();
        String session = "recipe" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Map<String, String> env = new HashMap<>(Map.of(
                "IPLOOP_GATEWAY", "127.0.0.1:" + ports.httpProxy(),
                "IPLOOP_CUSTOMER", c.at("/user/customerId").asString(),
                "IPLOOP_KEY", key,
                "IPLOOP_SESSION", session,
                "TARGET_HTTP", http.url("/bytes/" + HTTP_BODY),
                "TARGET_HTTPS", https.url("/bytes/" + HTTPS_BODY)));
        return new Customer(c.at("/user/id").asString(), token, session, env);
    }

    /** The two pages, one after the other, exactly as the origin served them. */
    private static byte[] expectedOutput() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(TestOrigin.expectedBytes(HTTP_BODY));
        out.writeBytes(TestOrigin.expectedBytes(HTTPS_BODY));
        return out.toByteArray();
    }

    /**
     * What every recipe must have done: printed both pages byte for byte, left the sticky session
     * the API lists (in Germany), and the gateway recorded both requests as successful German
     * streams carrying at least their page (the HTTPS one inside TLS, so a few KiB more).
     */
    private void assertRecipeWorked(Run run, Customer c) {
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout()).as("the two pages, byte for byte; %s", run.stderr()).isEqualTo(expectedOutput());

        JsonNode sessions = call("GET", "/api/proxy/sessions", c.token(), null).body().get("sessions");
        assertThat(sessions.valueStream().filter(s -> s.get("id").asString().equals(c.session())).map(s -> s.get("country").asString()))
                .as("GET /api/proxy/sessions: %s", sessions).containsExactly("DE");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(streams(c, HTTP_BODY, HTTP_BODY + 2_048, false)).as("the plain-HTTP request's usage").isEqualTo(1);
            assertThat(streams(c, HTTPS_BODY, HTTPS_BODY + 16_384, true)).as("the HTTPS request's usage").isEqualTo(1);
        });
    }

    private long streams(Customer c, long minDown, long maxDown, boolean sticky) {
        return jdbc.sql("""
                SELECT count(*) FROM usage_records
                WHERE user_id = ?::uuid AND success AND target_country = 'DE' AND target_host = '127.0.0.1'
                  AND bytes_downloaded BETWEEN ? AND ? AND session_id IS NOT DISTINCT FROM ?
                """).params(c.userId(), minDown, maxDown, sticky ? c.session() : null).query(Long.class).single();
    }

    private Path write(String name, String recipe) throws Exception {
        return Files.writeString(tmp.resolve(name), recipe);
    }

    /**
     * Every block of a docs/integrations page marked {@code recipe: NAME} is either run by a test
     * (this class, {@link BrowserRecipesIT}, GeneratedClientsIT for api-clients.md) or says "(not
     * run in CI)" in its marker line, so a new recipe cannot look tested without being so.
     */
    @Test
    void everyRecipeOnThePagesIsRunByATestOrMarkedNotRunInCi() throws Exception {
        List<String> markers;
        try (var pages = Files.list(PAGE.getParent())) {
            markers = pages.filter(p -> p.toString().endsWith(".md")).sorted().flatMap(p -> {
                try {
                    return Files.readString(p).lines().filter(l -> l.matches("^(#|//) recipe: .*"));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
        assertThat(markers.stream().filter(l -> !l.endsWith("(not run in CI)")).map(l -> l.replaceFirst("^(#|//) recipe: ", "")))
                .containsExactlyInAnyOrder("curl", "python-requests", "python-httpx", "node-undici", "java-httpclient",
                        "go-nethttp", "scrapy", "playwright", "puppeteer", "selenium", "python-client", "typescript-client");
        assertThat(markers).hasSize(12);
    }

    @Test
    void curl() throws Exception {
        Customer c = customer();
        Path script = write("recipe.sh", Tools.recipe(PAGE, "curl"));
        Map<String, String> env = new HashMap<>(c.env());
        env.put("CURL_CA_BUNDLE", Tools.pem(https.certificate(), tmp).toString());
        Run run = Tools.run(tmp, env, RECIPE_TIMEOUT, "bash", script.toString());

        assertRecipeWorked(run, c);
        assertThat(run.stderr()).contains("407").contains("X-IPLoop-Error: bad_credentials")
                .contains("Proxy-Status: iploop; error=http_request_denied").contains("CONNECT answered 407");
    }

    @Test
    void pythonRequests() throws Exception {
        Customer c = customer();
        Path python = Tools.python("requests");
        Path script = write("recipe_requests.py", Tools.recipe(PAGE, "python-requests"));
        Map<String, String> env = new HashMap<>(c.env());
        env.put("REQUESTS_CA_BUNDLE", Tools.pem(https.certificate(), tmp).toString());
        Run run = Tools.run(tmp, env, RECIPE_TIMEOUT, python.toString(), script.toString());

        assertRecipeWorked(run, c);
        assertThat(run.stderr()).contains("407 bad_credentials (iploop; error=http_request_denied")
                .contains("check the customer id and key").containsPattern("CONNECT refused: .*407");
    }

    @Test
    void pythonHttpx() throws Exception {
        Customer c = customer();
        Path python = Tools.python("httpx");
        Path script = write("recipe_httpx.py", Tools.recipe(PAGE, "python-httpx"));
        Map<String, String> env = new HashMap<>(c.env());
        env.put("SSL_CERT_FILE", Tools.pem(https.certificate(), tmp).toString());
        Run run = Tools.run(tmp, env, RECIPE_TIMEOUT, python.toString(), script.toString());

        assertRecipeWorked(run, c);
        assertThat(run.stderr()).contains("407 bad_credentials (iploop; error=http_request_denied")
                .containsPattern("CONNECT refused: .*407");
    }

    @Test
    void nodeUndici() throws Exception {
        Customer c = customer();
        Path modules = Tools.nodeModules();
        // Next to node_modules, so require("undici") finds the locked version.
        Path script = Files.writeString(modules.getParent().resolve("recipe-undici.js"), Tools.recipe(PAGE, "node-undici"));
        Map<String, String> env = new HashMap<>(c.env());
        env.put("NODE_EXTRA_CA_CERTS", Tools.pem(https.certificate(), tmp).toString());
        Run run = Tools.run(tmp, env, RECIPE_TIMEOUT, "node", script.toAbsolutePath().toString());

        assertRecipeWorked(run, c);
        assertThat(run.stderr()).containsPattern("CONNECT refused: .*407");
    }

    @Test
    void javaHttpClient() throws Exception {
        Customer c = customer();
        Path source = write("IploopRecipe.java", Tools.recipe(PAGE, "java-httpclient"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path trust = Tools.trustStore(https.certificate(), tmp);
        // No -Djdk.http.auth.tunneling.disabledSchemes here: the recipe must clear it itself.
        Run run = Tools.run(tmp, c.env(), RECIPE_TIMEOUT, java.toString(), "-Djavax.net.ssl.trustStore=" + trust,
                "-Djavax.net.ssl.trustStorePassword=changeit", "-Djavax.net.ssl.trustStoreType=PKCS12", source.toString());

        assertRecipeWorked(run, c);
        assertThat(run.stderr()).contains("407 bad_credentials (iploop; error=http_request_denied")
                // The JDK's message differs by version (25.0.3: an internal NullPointerException's text,
                // not the status); the page says so. What counts: an IOException, and no page.
                .contains("CONNECT refused: ");
    }

    @Test
    void goNetHttp() throws Exception {
        Customer c = customer();
        Path go = Tools.go();
        Path source = Tools.recipeFile(Tools.repositoryRoot().resolve("docs/integrations/go.md"), "go-nethttp", tmp.resolve("recipe.go"));
        Map<String, String> env = new HashMap<>(c.env());
        env.put("SSL_CERT_FILE", Tools.pem(https.certificate(), tmp).toString());
        env.putAll(Tools.goEnvironment(tmp));
        // The first build of net/http into an empty GOCACHE takes a while on a slow machine.
        Run run = Tools.run(tmp, env, Duration.ofSeconds(180), go.toString(), "run", source.toString());

        assertRecipeWorked(run, c);
        assertThat(run.stderr()).contains("407 bad_credentials (iploop; error=http_request_denied")
                .contains("CONNECT refused: ").contains("Proxy Authentication Required");
    }

    @Test
    void scrapy() throws Exception {
        Customer c = customer();
        Path python = Tools.python("scrapy");
        Path spider = Tools.recipeFile(Tools.repositoryRoot().resolve("docs/integrations/scrapy.md"), "scrapy", tmp.resolve("recipe_scrapy.py"));
        // Scrapy does not verify the origin's certificate (its default context factory), so no CA bundle.
        Run run = Tools.run(tmp, c.env(), Duration.ofSeconds(90), python.toString(), "-m", "scrapy", "runspider", spider.toString());

        assertRecipeWorked(run, c);
        assertThat(run.stderr()).contains("407 bad_credentials (iploop; error=http_request_denied")
                .containsPattern("CONNECT refused: .*407");
    }
}
