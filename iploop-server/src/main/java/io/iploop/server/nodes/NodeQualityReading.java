package io.iploop.server.nodes;

import java.util.UUID;

/**
 * What the server knows of one connected node's exit quality (docs/exit-quality.md#score). Immutable.
 *
 * @param quality the score 0-100 the gateway last reported ({@code nodes.quality_score}); the stored
 *     default (100) while no gateway has measured the node
 * @param streams streams opened through the node over its lifetime ({@code nodes.total_requests}), as
 *     the gateway reports them every 2 s
 */
public record NodeQualityReading(UUID nodeId, int quality, long streams) {}
