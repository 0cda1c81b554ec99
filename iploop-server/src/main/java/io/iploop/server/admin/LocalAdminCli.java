package io.iploop.server.admin;

import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code iploop admin}: the operator's shell access to the running server on this machine, without
 * the admin login and its 2FA (README "Running it for yourself"): show an account, change its plan,
 * change its GB balance. Does not start Spring: it reads {@link LocalAdminAccess} from the data
 * directory and calls the server over loopback. Exit codes: 0 done, 1 failed (message on standard
 * error: server not running, access file missing, unknown e-mail, unknown plan with the valid ones),
 * 2 bad arguments (picocli). Not thread-safe (one command per instance).
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = "Change a customer's plan or balance on the running server (same machine, same data dir).",
        subcommands = {LocalAdminCli.UserCommand.class, LocalAdminCli.PlanCommand.class,
            LocalAdminCli.BalanceCommand.class})
public final class LocalAdminCli implements Callable<Integer> {

    @Spec
    @Nullable CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine cmd = Objects.requireNonNull(spec).commandLine();
        cmd.usage(cmd.getErr());
        return 2;
    }

    /** Where the server is: its data directory (for the access file) and optionally another port. */
    static final class Target {

        @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:IPLOOP_DATA_DIR:-./data}",
                description = "The server's data directory (default: IPLOOP_DATA_DIR, else ./data).")
        Path dataDir = Path.of("./data");

        @Option(names = "--port", paramLabel = "PORT",
                description = "The server's HTTP port (default: the one it wrote to DATA_DIR/secrets/local-admin).")
        @Nullable Integer port;
    }

    /** {@code iploop admin user EMAIL}. */
    @Command(name = "user", mixinStandardHelpOptions = true,
            description = "Show an account: id, customer id, role, status, plan and GB balance.")
    static final class UserCommand extends Call {

        @Parameters(index = "0", paramLabel = "EMAIL", description = "The account's e-mail address.")
        String email = "";

        @Override
        JsonNode run(Client client) throws CliException {
            return client.send("GET", "/user?email=" + URLEncoder.encode(email, StandardCharsets.UTF_8), null);
        }
    }

    /** {@code iploop admin plan EMAIL PLAN [--gb N]}. */
    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "Move an account to another plan; its balance becomes the plan's included GB, or --gb.")
    static final class PlanCommand extends Call {

        @Parameters(index = "0", paramLabel = "EMAIL", description = "The account's e-mail address.")
        String email = "";

        @Parameters(index = "1", paramLabel = "PLAN", description = "Plan id, e.g. trial, starter, growth, enterprise.")
        String plan = "";

        @Option(names = "--gb", paramLabel = "N", description = "Balance in GB (10^9 bytes) instead of the plan's.")
        @Nullable BigDecimal gb;

        @Override
        JsonNode run(Client client) throws CliException {
            Map<String, Object> body = new LinkedHashMap<>(Map.of("email", email, "planId", plan));
            if (gb != null) {
                body.put("gb", gb);
            }
            return client.send("POST", "/plan", body);
        }
    }

    /** {@code iploop admin balance EMAIL (--add-gb N | --set-gb N) --reason TEXT}. */
    @Command(name = "balance", mixinStandardHelpOptions = true,
            description = "Add to (or take from) or set an account's GB balance; the reason goes to the audit log.")
    static final class BalanceCommand extends Call {

        @Parameters(index = "0", paramLabel = "EMAIL", description = "The account's e-mail address.")
        String email = "";

        @ArgGroup(exclusive = true, multiplicity = "1")
        Amount amount = new Amount();

        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (kept in the audit log).")
        String reason = "";

        static final class Amount {
            @Option(names = "--add-gb", paramLabel = "N", description = "GB to add; negative takes away.")
            @Nullable BigDecimal add;

            @Option(names = "--set-gb", paramLabel = "N", description = "The new balance in GB.")
            @Nullable BigDecimal set;
        }

        @Override
        JsonNode run(Client client) throws CliException {
            Map<String, Object> body = new LinkedHashMap<>(Map.of("email", email, "reason", reason));
            if (amount.add != null) {
                body.put("addGb", amount.add);
            } else if (amount.set != null) {
                body.put("setGb", amount.set);
            }
            return client.send("POST", "/balance", body);
        }
    }

    /** A subcommand: one call to the server, then the account it returns is printed. */
    abstract static class Call implements Callable<Integer> {

        @Mixin
        Target target = new Target();

        @Spec
        @Nullable CommandSpec spec;

        abstract JsonNode run(Client client) throws CliException;

        @Override
        public Integer call() {
            CommandLine cmd = Objects.requireNonNull(spec).commandLine();
            try {
                print(cmd.getOut(), run(Client.open(target)));
                return 0;
            } catch (CliException e) {
                cmd.getErr().println("iploop admin: " + e.getMessage());
                cmd.getErr().flush();
                return 1;
            }
        }
    }

    static void print(PrintWriter out, JsonNode a) {
        out.println("Account " + a.path("email").asString());
        out.println("  id          : " + a.path("id").asString());
        out.println("  customer id : " + a.path("customerId").asString());
        out.println("  role        : " + a.path("role").asString());
        out.println("  status      : " + a.path("status").asString());
        if (a.path("planId").isNull() || a.path("planId").isMissingNode()) {
            out.println("  plan        : none");
        } else {
            out.println("  plan        : " + a.path("planId").asString() + " (" + a.path("planName").asString() + ")");
            String used = gb(a.path("gbUsed")) + " GB used";
            out.println("  balance     : " + (a.path("unlimitedBytes").asBoolean()
                    ? "unlimited (the plan has no byte limit); " + used
                    : gb(a.path("gbBalance")) + " GB; " + used));
        }
        out.flush();
    }

    private static String gb(JsonNode n) {
        return n.isNumber() ? n.decimalValue().stripTrailingZeros().toPlainString() : n.asString();
    }

    /** A failure to report on standard error with exit code 1. */
    static final class CliException extends Exception {
        private static final long serialVersionUID = 1L;

        CliException(String message) {
            super(message);
        }
    }

    /** Calls {@link LocalAdminAccess#PATH} on 127.0.0.1 with the token. */
    static final class Client {

        private static final JsonMapper JSON = JsonMapper.builder().build();
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final LocalAdminAccess access;
        private final int port;
        private final Path dataDir;

        private Client(LocalAdminAccess access, int port, Path dataDir) {
            this.access = access;
            this.port = port;
            this.dataDir = dataDir;
        }

        static Client open(Target target) throws CliException {
            Path dir = target.dataDir.toAbsolutePath().normalize();
            try {
                LocalAdminAccess access = LocalAdminAccess.read(dir);
                return new Client(access, target.port != null ? target.port : access.port(), dir);
            } catch (NoSuchFileException e) {
                throw new CliException("no " + LocalAdminAccess.file(dir) + ": the server is not running with data dir "
                        + dir + " (start it with ./iploop server, or point --data-dir / IPLOOP_DATA_DIR at its data dir)");
            } catch (IOException e) {
                throw new CliException("cannot read " + LocalAdminAccess.file(dir) + ": " + e.getMessage());
            }
        }

        JsonNode send(String method, String path, @Nullable Object body) throws CliException {
            String url = "http://127.0.0.1:" + port + LocalAdminAccess.PATH + path;
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header(LocalAdminAccess.TOKEN_HEADER, access.token())
                    .header("User-Agent", "iploop admin (local-cli)");
            if (body != null) {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> res;
            try {
                res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (ConnectException | HttpConnectTimeoutException e) {
                throw new CliException("the server is not running at 127.0.0.1:" + port + " (" + LocalAdminAccess.file(dataDir)
                        + " is left from an earlier start); start it with ./iploop server");
            } catch (IOException e) {
                throw new CliException("calling " + url + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("interrupted");
            }
            JsonNode json;
            try {
                json = res.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(res.body());
            } catch (JacksonException e) {
                throw new CliException("HTTP " + res.statusCode() + " from " + url + " (not the IPLoop server?)");
            }
            if (res.statusCode() / 100 != 2) {
                JsonNode error = json.path("error");
                throw new CliException(error.isObject()
                        ? error.path("message").asString() + " [" + error.path("code").asString() + "]"
                        : "HTTP " + res.statusCode() + " from " + url);
            }
            return json;
        }
    }
}
