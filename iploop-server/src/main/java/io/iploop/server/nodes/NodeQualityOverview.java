package io.iploop.server.nodes;

import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The connected nodes' quality as the admin supply page shows it (docs/exit-quality.md#where-it-shows):
 * how many are in each band of the stored score and which measured ones score lowest. Nodes that
 * have not carried a stream yet keep the stored default and are counted apart, never in a band.
 * Immutable.
 *
 * @param good measured nodes scoring 80-100
 * @param fair measured nodes scoring 50-79
 * @param poor measured nodes scoring under 50
 * @param unmeasured connected nodes without any stream yet
 * @param lowest the measured nodes with the lowest scores, lowest first (ties: more streams first)
 */
public record NodeQualityOverview(int good, int fair, int poor, int unmeasured, List<Row> lowest) {

    public NodeQualityOverview {
        lowest = List.copyOf(lowest);
    }

    /**
     * One connected node's score with what it rests on.
     *
     * @param nodeId the id the moderation form takes (scope {@code node})
     * @param ownerId the operator's user id (scope {@code owner})
     * @param country ISO-3166 alpha-2 country, or null when unknown
     * @param quality the score 0-100 the gateway last reported
     * @param streams streams opened through the node over its lifetime
     * @param successfulStreams of those, the ones the node connected
     * @param ttfbMillis the gateway's time-to-first-byte average in ms, null until measured
     * @param throughputMbps the gateway's throughput average in Mbit/s, null until measured
     */
    public record Row(UUID nodeId, String deviceId, UUID ownerId, @Nullable String country, int quality, long streams,
            long successfulStreams, @Nullable Double ttfbMillis, @Nullable Double throughputMbps) {

        /** Connected share of the streams in percent, 0-100, one decimal; 0 without streams. */
        public double successPercent() {
            return streams == 0 ? 0 : Math.round(1000.0 * successfulStreams / streams) / 10.0;
        }
    }
}
