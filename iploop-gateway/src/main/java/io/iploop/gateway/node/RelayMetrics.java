package io.iploop.gateway.node;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.Map;

/**
 * The cluster relay's meters (docs/deploy.md#metrics): {@code iploop.relay.links{side}} (links to
 * other gateways this one opened, {@code outgoing}, including those still connecting, and those it
 * accepted, {@code incoming}), {@code iploop.relay.streams{side, outcome}} (streams this gateway
 * opened over a link for its customers, {@code outgoing} {@code opened|failed}, and streams other
 * gateways opened on its nodes, {@code incoming} {@code opened|refused}) and
 * {@code iploop.relay.upgrades.refused} (link requests without a valid cluster token: a
 * misconfigured secret, or someone else knocking). Thread-safe.
 */
final class RelayMetrics {

    final Counter outgoingOpened;
    final Counter outgoingFailed;
    final Counter incomingOpened;
    final Counter incomingRefused;
    final Counter upgradesRefused;

    RelayMetrics(MeterRegistry meters, Map<?, ?> outgoingLinks, Collection<?> incomingLinks) {
        Gauge.builder("iploop.relay.links", outgoingLinks, Map::size).tag("side", "outgoing").register(meters);
        Gauge.builder("iploop.relay.links", incomingLinks, Collection::size).tag("side", "incoming").register(meters);
        outgoingOpened = streams(meters, "outgoing", "opened");
        outgoingFailed = streams(meters, "outgoing", "failed");
        incomingOpened = streams(meters, "incoming", "opened");
        incomingRefused = streams(meters, "incoming", "refused");
        upgradesRefused = Counter.builder("iploop.relay.upgrades.refused").register(meters);
    }

    private static Counter streams(MeterRegistry meters, String side, String outcome) {
        return Counter.builder("iploop.relay.streams").tag("side", side).tag("outcome", outcome).register(meters);
    }
}
