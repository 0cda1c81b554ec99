package io.iploop.node;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * One JSON {@code POST} to the control plane authenticated with the agent's node key
 * ({@code X-Node-Key}; docs/node-agent.md), as the device registration and the traffic reports
 * send it, and what the answer means for a retry. Stateless; thread-safe.
 */
final class NodeKeyPost {

    /** What the control plane's answer means for the caller. */
    enum Verdict {
        /** 2xx: done. */
        ACCEPTED,
        /** 4xx other than 429: sending the same again will not help. */
        REFUSED,
        /** 429, 5xx or another status: try again later. */
        RETRY
    }

    /** The answer: its verdict, status and body (for the log). */
    record Answer(Verdict verdict, int status, String body) {}

    private NodeKeyPost() {}

    /**
     * Sends {@code json} with a 20 s timeout.
     *
     * @throws IOException when no answer arrived (connection refused, timeout): a retry case
     * @throws InterruptedException when the calling thread is interrupted
     */
    static Answer send(HttpClient http, URI endpoint, String nodeKey, String json) throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .header("X-Node-Key", nodeKey)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        int status = res.statusCode();
        Verdict verdict = status / 100 == 2 ? Verdict.ACCEPTED
                : status / 100 == 4 && status != 429 ? Verdict.REFUSED
                : Verdict.RETRY;
        return new Answer(verdict, status, res.body());
    }
}
