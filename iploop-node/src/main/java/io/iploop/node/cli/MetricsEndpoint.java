package io.iploop.node.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The agent's optional {@code GET /metrics} (docs/node-agent.md#status-and-metrics): the agent's
 * status in the Prometheus text exposition format 0.0.4, read fresh on every scrape. Served by the
 * JDK's own HTTP server on one virtual thread per request, so the agent's jar gains no dependency;
 * off unless the {@code metrics} setting names an address. Metrics: {@code proxyclaw_up},
 * {@code proxyclaw_connected}, {@code proxyclaw_state{state}}, {@code proxyclaw_streams_open},
 * {@code proxyclaw_streams_served_total}, {@code proxyclaw_bytes_total{direction="up"|"down"}},
 * {@code proxyclaw_reconnects_total}, {@code proxyclaw_uptime_seconds},
 * {@code proxyclaw_info{version}}. Any other path answers 404, any other method 405. Thread-safe.
 */
final class MetricsEndpoint implements AutoCloseable {

    private final HttpServer server;

    private MetricsEndpoint(HttpServer server) {
        this.server = server;
    }

    /**
     * Binds {@code address} and starts serving.
     *
     * @throws IOException when the address cannot be bound (in use, not local)
     */
    static MetricsEndpoint start(InetSocketAddress address, Supplier<AgentStatus> status) throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange) {
                if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                    send(exchange, 404, "text/plain; charset=utf-8", "not found; try /metrics\n");
                } else if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    send(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
                } else {
                    send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", render(status.get(), Instant.now()));
                }
            }
        });
        server.start();
        return new MetricsEndpoint(server);
    }

    /** The bound address (the port is real when 0 was asked for). */
    InetSocketAddress address() {
        return server.getAddress();
    }

    /** The exposition text for {@code s} at {@code now}. */
    static String render(AgentStatus s, Instant now) {
        StringBuilder b = new StringBuilder(1024);
        metric(b, "proxyclaw_up", "gauge", "1 while the agent process runs", "", 1);
        metric(b, "proxyclaw_connected", "gauge", "1 while a gateway session is established", "",
                s.state() == AgentStatus.State.CONNECTED ? 1 : 0);
        b.append("# HELP proxyclaw_state the agent's connection state (1 for the current one)\n# TYPE proxyclaw_state gauge\n");
        for (AgentStatus.State state : AgentStatus.State.values()) {
            b.append("proxyclaw_state{state=\"").append(state.name().toLowerCase(Locale.ROOT)).append("\"} ")
                    .append(state == s.state() ? 1 : 0).append('\n');
        }
        metric(b, "proxyclaw_streams_open", "gauge", "streams open through this node now", "", s.activeStreams());
        metric(b, "proxyclaw_streams_served_total", "counter", "streams served since the agent started", "",
                s.streamsServed());
        b.append("# HELP proxyclaw_bytes_total bytes carried since the agent started (up: to destinations, down: from them)\n")
                .append("# TYPE proxyclaw_bytes_total counter\n")
                .append("proxyclaw_bytes_total{direction=\"up\"} ").append(s.bytesUp()).append('\n')
                .append("proxyclaw_bytes_total{direction=\"down\"} ").append(s.bytesDown()).append('\n');
        metric(b, "proxyclaw_reconnects_total", "counter", "connection attempts after the first", "", s.reconnects());
        metric(b, "proxyclaw_uptime_seconds", "gauge", "seconds since the agent started", "",
                s.startedAt() == null ? 0 : Duration.between(s.startedAt(), now).toSeconds());
        metric(b, "proxyclaw_info", "gauge", "the agent's version", "{version=\"" + escape(NodeAgent.version()) + "\"}", 1);
        return b.toString();
    }

    private static void metric(StringBuilder b, String name, String type, String help, String labels, long value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n')
                .append(name).append(labels).append(' ').append(value).append('\n');
    }

    /** Label value escaping of the text format: backslash, double quote, line feed. */
    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Stops listening; a scrape in progress gets up to a second. */
    @Override
    public void close() {
        server.stop(1);
    }
}
