package io.iploop.server.pool;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code iploop pool import FILE [--replace]} (docs/upstream-pool.md#upstreams-import-and-reload):
 * sends the file to the running server's admin API ({@code POST /api/admin/pool/upstreams}) with an
 * admin API token ({@code --token}, default {@code IPLOOP_ADMIN_TOKEN}) that has the scope
 * {@code pool:write}, so the import is validated, audited and followed by the gateway's reload
 * exactly as through the API, and works against a remote server too. Does not start Spring. Exit
 * codes: 0 imported (the report is printed), 1 refused or unreachable (the server's message on
 * standard error, e.g. every bad line with its number), 2 bad arguments. Not thread-safe.
 */
@Command(name = "pool", mixinStandardHelpOptions = true, description = "Manage the upstream pool of a running server.",
        subcommands = PoolCli.ImportCommand.class)
public final class PoolCli implements Callable<Integer> {

    @Spec
    @Nullable CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine cmd = Objects.requireNonNull(spec).commandLine();
        cmd.usage(cmd.getErr());
        return 2;
    }

    /** {@code iploop pool import FILE [--replace]}. */
    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import upstreams (user:pass@host:port, http://…, socks5://… a line) into the running server.")
    static final class ImportCommand implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "FILE", description = "The upstream file.")
        Path file = Path.of("");

        @Option(names = "--replace", description = "The file becomes the whole list (others are removed); default: add.")
        boolean replace;

        @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:IPLOOP_URL:-http://127.0.0.1:8080}",
                description = "The server's base URL (default: IPLOOP_URL, else http://127.0.0.1:8080).")
        String url = "http://127.0.0.1:8080";

        @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:IPLOOP_ADMIN_TOKEN}",
                description = "Admin API token with pool:write (default: IPLOOP_ADMIN_TOKEN).")
        @Nullable String token;

        @Spec
        @Nullable CommandSpec spec;

        @Override
        public Integer call() {
            CommandLine cmd = Objects.requireNonNull(spec).commandLine();
            PrintWriter out = cmd.getOut();
            PrintWriter err = cmd.getErr();
            if (token == null || token.isBlank()) {
                err.println("iploop pool import: no admin API token (set IPLOOP_ADMIN_TOKEN or --token; create one with "
                        + "POST /api/admin/tokens)");
                return 1;
            }
            String body;
            try {
                body = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("iploop pool import: cannot read " + file + ": " + e.getMessage());
                return 1;
            }
            URI target = URI.create(url.replaceAll("/+$", "") + "/api/admin/pool/upstreams?mode=" + (replace ? "replace" : "add"));
            HttpRequest request = HttpRequest.newBuilder(target).timeout(Duration.ofMinutes(2))
                    .header("Authorization", "Bearer " + token.strip())
                    .header("Content-Type", "text/plain; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
            try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
                HttpResponse<String> res = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (res.statusCode() / 100 == 2) {
                    out.println(res.body());
                    out.flush();
                    return 0;
                }
                err.println("iploop pool import: HTTP " + res.statusCode() + ": " + res.body());
                err.flush();
                return 1;
            } catch (IOException e) {
                err.println("iploop pool import: server at " + url + " not reachable: " + e);
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
    }
}
