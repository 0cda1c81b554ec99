package io.iploop.server.admin;

import static io.iploop.server.testing.Api.*;
import static io.iploop.server.testing.Mailbox.*;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import static io.iploop.server.testing.SharedPlatform.DATA_DIR;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.IploopMain;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.audit.AuditEntry;
import io.iploop.server.audit.AuditQuery;
import io.iploop.server.audit.AuditService;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Subscription;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/**
 * The local admin access of {@code iploop admin} on the real server: the token file it writes, a
 * plan change through {@code /api/local-admin/plan} (the same plans service and audit log as the
 * admin API), the CLI end to end, and the refusals (no or wrong token, an admin JWT instead of the
 * token, a request that came through a proxy).
 */
@PlatformTest
class LocalAdminIT {
    @LocalServerPort
    int port;


    @Autowired
    private PlansService plans;

    @Autowired
    private AuditService audit;

    @Autowired
    private AccountsService accounts;

    private LocalAdminAccess access() throws IOException {
        return LocalAdminAccess.read(DATA_DIR);
    }

    private Response local(String method, String path, Object body, Map<String, String> headers) {
        return call(method, LocalAdminAccess.PATH + path, null, body, headers);
    }

    private String planOf(UUID userId) {
        return plans.current(userId).map(Subscription::planId).orElse("none");
    }

    @Test
    void theServerWritesItsPortAndTokenForTheOwnerOnly() throws IOException {
        assertThat(access().port()).isEqualTo(port);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(LocalAdminAccess.file(DATA_DIR))))
                .isEqualTo("rw-------");
    }

    @Test
    void theFirstStartPutTheDemoCustomerOnAPlanWithoutLimitsAndKeptItsSecretsPrivate() throws IOException {
        Run demo = cli("admin", "user", "demo@iploop.local");
        assertThat(demo.exitCode()).as(demo.err()).isZero();
        assertThat(demo.out()).contains("plan        : enterprise (Enterprise)").contains("balance     : unlimited");

        var firstStart = DATA_DIR.resolve("first-start.txt");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(firstStart))).isEqualTo("rw-------");
        assertThat(Files.readString(firstStart)).contains("admin@iploop.local").contains("curl -x http://cust_")
                .contains("./iploop admin plan")
                // The TLS entry point with the self-signed certificate to trust (docs/tls.md).
                .contains("curl --proxy https://127.0.0.1:")
                .contains("--proxy-cacert " + DATA_DIR.toAbsolutePath().normalize().resolve("gateway-tls-cert.pem"))
                .contains("--proxy-user cust_");
    }

    @Test
    void changesAPlanThroughTheAdminServiceAndAuditsIt() throws IOException {
        JsonNode customer = registerCustomer();
        String email = customer.at("/user/email").asString();
        UUID userId = UUID.fromString(customer.at("/user/id").asString());
        assertThat(planOf(userId)).isEqualTo("trial");

        Response r = local("POST", "/plan", Map.of("email", email, "planId", "growth", "gb", 7),
                Map.of(LocalAdminAccess.TOKEN_HEADER, access().token(), "User-Agent", "iploop admin (local-cli)"));

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.body().get("planId").asString()).isEqualTo("growth");
        assertThat(r.body().get("customerId").asString()).isEqualTo(customer.at("/user/customerId").asString());
        assertThat(planOf(userId)).isEqualTo("growth");
        assertThat(plans.current(userId).orElseThrow().gbBalance()).isEqualByComparingTo("7");

        UUID firstAdmin = accounts.firstAdmin().orElseThrow().id();
        List<AuditEntry> changes = audit.list(firstAdmin, true, new AuditQuery(1, 50, "plan_changed", null, false))
                .items().stream().filter(e -> userId.toString().equals(e.resourceId())).toList();
        assertThat(changes).singleElement().satisfies(e -> {
            assertThat(e.userId()).isEqualTo(firstAdmin);
            assertThat(e.details()).containsEntry("oldPlan", "trial").containsEntry("newPlan", "growth");
            assertThat(e.ipAddress()).isEqualTo("127.0.0.1");
            assertThat(e.userAgent()).contains("local-cli");
        });
    }

    @Test
    void refusesRequestsWithoutTheTokenWithAJwtOrThroughAProxy() throws IOException {
        JsonNode customer = registerCustomer();
        String email = customer.at("/user/email").asString();
        UUID userId = UUID.fromString(customer.at("/user/id").asString());
        Map<String, String> change = Map.of("email", email, "planId", "enterprise");
        String token = access().token();

        Response none = local("POST", "/plan", change, Map.of());
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.body().at("/error/code").asString()).isEqualTo("local_admin_token_required");

        Response wrong = local("POST", "/plan", change,
                Map.of(LocalAdminAccess.TOKEN_HEADER, token.substring(0, token.length() - 1) + (token.endsWith("A") ? "B" : "A")));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body().at("/error/code").asString()).isEqualTo("local_admin_token_invalid");

        // A 2FA admin's JWT opens /api/admin/** but not these endpoints.
        Response jwt = call("POST", LocalAdminAccess.PATH + "/plan", adminToken(), change);
        assertThat(jwt.status()).isEqualTo(401);

        // Through a reverse proxy on this machine the peer is loopback, but the caller is not.
        Response proxied = local("POST", "/plan", change,
                Map.of(LocalAdminAccess.TOKEN_HEADER, token, "X-Forwarded-For", "203.0.113.9"));
        assertThat(proxied.status()).isEqualTo(403);
        assertThat(proxied.body().at("/error/code").asString()).isEqualTo("local_admin_loopback_only");

        assertThat(planOf(userId)).isEqualTo("trial");
    }

    /** Exit code, standard output and standard error of one {@code iploop ...} run. */
    record Run(int exitCode, String out, String err) {}

    private Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new IploopMain());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data-dir";
        all[args.length + 1] = DATA_DIR.toString();
        return new Run(cmd.execute(all), out.toString(), err.toString());
    }

    @Test
    void theCommandLineShowsAndChangesAnAccount() {
        JsonNode customer = registerCustomer();
        String email = customer.at("/user/email").asString();
        UUID userId = UUID.fromString(customer.at("/user/id").asString());

        Run plan = cli("admin", "plan", email, "starter");
        assertThat(plan.exitCode()).as(plan.err()).isZero();
        assertThat(plan.out()).contains("plan        : starter (Starter)").contains("balance     : 5 GB");

        Run add = cli("admin", "balance", email, "--add-gb", "1.5", "--reason", "goodwill");
        assertThat(add.exitCode()).as(add.err()).isZero();
        assertThat(plans.current(userId).orElseThrow().gbBalance()).isEqualByComparingTo(new BigDecimal("6.5"));

        Run user = cli("admin", "user", email);
        assertThat(user.exitCode()).as(user.err()).isZero();
        assertThat(user.out()).contains("id          : " + userId)
                .contains("customer id : " + customer.at("/user/customerId").asString())
                .contains("status      : active").contains("balance     : 6.5 GB");

        Run unknownPlan = cli("admin", "plan", email, "gold");
        assertThat(unknownPlan.exitCode()).isEqualTo(1);
        assertThat(unknownPlan.err()).contains("no plan gold").contains("trial").contains("enterprise");

        Run unknownUser = cli("admin", "user", "nobody-" + UUID.randomUUID() + "@example.com");
        assertThat(unknownUser.exitCode()).isEqualTo(1);
        assertThat(unknownUser.err()).contains("no account with e-mail nobody-");

        Run negative = cli("admin", "balance", email, "--add-gb", "-100", "--reason", "oops");
        assertThat(negative.exitCode()).isEqualTo(1);
        assertThat(negative.err()).contains("gbBalance");
        assertThat(plans.current(userId).orElseThrow().gbBalance()).isEqualByComparingTo(new BigDecimal("6.5"));
    }
}
