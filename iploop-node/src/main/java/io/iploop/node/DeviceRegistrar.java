package io.iploop.node;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the device with the control plane once per agent start ({@code POST
 * /api/earn/devices/register} with the node key in {@code X-Node-Key}; docs/product/earn.md#devices): name,
 * install method, agent version. Runs on its own virtual thread and never blocks the tunnel: it
 * retries network errors and 5xx/429 with capped exponential backoff plus jitter, gives up on any
 * other 4xx (a wrong key or device id is not fixed by retrying) and stops on {@link #close()}.
 * Thread-safe.
 */
final class DeviceRegistrar implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeviceRegistrar.class);
    private static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    private static final Duration MAX_DELAY = Duration.ofSeconds(60);

    private final URI endpoint;
    private final String nodeKey;
    private final String body;
    private volatile @Nullable Thread thread;
    private volatile boolean closed;
    private volatile boolean registered;

    DeviceRegistrar(AgentConfig config, String version) {
        URI api = java.util.Objects.requireNonNull(config.apiUri(), "apiUri");
        String base = api.toString().endsWith("/") ? api.toString() : api + "/";
        this.endpoint = URI.create(base).resolve("api/earn/devices/register");
        this.nodeKey = config.nodeKey();
        String method = config.installMethod() != null ? config.installMethod() : InstallMethod.detect();
        this.body = "{\"deviceId\":" + json(config.deviceId()) + ",\"deviceName\":"
                + (config.deviceName() == null ? "null" : json(config.deviceName()))
                + ",\"installMethod\":" + json(method) + ",\"nodeVersion\":" + json(version) + "}";
    }

    /** Starts registering in the background. */
    void start() {
        thread = Thread.ofVirtual().name("proxyclaw-register").start(this::run);
    }

    /** True once the control plane accepted the registration. */
    boolean registered() {
        return registered;
    }

    private void run() {
        Duration delay = FIRST_DELAY;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            while (!closed) {
                try {
                    NodeKeyPost.Answer answer = NodeKeyPost.send(http, endpoint, nodeKey, body);
                    if (answer.verdict() == NodeKeyPost.Verdict.ACCEPTED) {
                        registered = true;
                        log.info("device registered with {}", endpoint.getHost());
                        return;
                    }
                    if (answer.verdict() == NodeKeyPost.Verdict.REFUSED) {
                        log.warn("device registration refused ({}): {}", answer.status(), answer.body());
                        return;
                    }
                    log.debug("device registration: HTTP {}, retrying", answer.status());
                } catch (IOException e) {
                    log.debug("device registration failed, retrying: {}", e.toString());
                }
                Thread.sleep(ThreadLocalRandom.current().nextLong(delay.toMillis() / 2, delay.toMillis() + 1));
                delay = delay.multipliedBy(2).compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay.multipliedBy(2);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    /** A JSON string literal. */
    static String json(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
