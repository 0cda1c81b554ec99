package io.iploop.gateway.limits;

import io.iploop.gateway.spi.SharedLimitCounters;

/**
 * One limiter's view of the cluster (docs/deploy.md#shared-limits): what the other gateways hold
 * and count, as of the last {@link ClusterLimitSync} exchange, plus this gateway's requests not
 * reported yet. Checks are made against {@code last known cluster total + own unreported}, so a
 * gateway never admits beyond what it knows; what it cannot know (the others' admissions since the
 * last exchange) bounds the overshoot. Thread-safe: the open count is volatile, the request
 * windows are synchronized (one short section per request).
 */
final class ClusterShare {

    private static final long SECONDS_PER_DAY = 86_400;

    private final String scope;
    private volatile long othersOpen;
    private long secondEpoch = Long.MIN_VALUE;
    private long secondUnreported;
    private long secondTotal;
    private long dayEpoch = Long.MIN_VALUE;
    private long dayUnreported;
    private long dayTotal;

    /** @param scope {@code a:<account>} or {@code s:<sub-user>} ({@link SharedLimitCounters.Report#scope}) */
    ClusterShare(String scope) {
        this.scope = scope;
    }

    String scope() {
        return scope;
    }

    /** Connections the other gateways hold open, as last reported. */
    long othersOpen() {
        return othersOpen;
    }

    private void roll(long epochSecond) {
        if (epochSecond != secondEpoch) {
            secondEpoch = epochSecond;
            secondUnreported = 0;
            secondTotal = 0;
        }
        long day = Math.floorDiv(epochSecond, SECONDS_PER_DAY);
        if (day != dayEpoch) {
            dayEpoch = day;
            dayUnreported = 0;
            dayTotal = 0;
        }
    }

    /**
     * Counts one request of second {@code epochSecond} unless the cluster already counted
     * {@code perSecond} in it. @return true if counted
     */
    synchronized boolean takeSecond(long perSecond, long epochSecond) {
        roll(epochSecond);
        if (perSecond > 0 && secondTotal + secondUnreported >= perSecond) {
            return false;
        }
        secondUnreported++;
        return true;
    }

    /**
     * Counts one request of the UTC day of {@code epochSecond} unless the cluster already counted
     * {@code perDay} in it. @return true if counted
     */
    synchronized boolean takeDay(long perDay, long epochSecond) {
        roll(epochSecond);
        if (perDay > 0 && dayTotal + dayUnreported >= perDay) {
            return false;
        }
        dayUnreported++;
        return true;
    }

    /** Takes the unreported requests into a report (given back by {@link #failed} if it is not delivered). */
    synchronized SharedLimitCounters.Report report(int open, long epochSecond, long ttlMillis) {
        roll(epochSecond);
        SharedLimitCounters.Report r = new SharedLimitCounters.Report(scope, open, secondEpoch, secondUnreported,
                dayEpoch, dayUnreported, ttlMillis);
        secondUnreported = 0;
        dayUnreported = 0;
        return r;
    }

    /** Installs the cluster's answer to {@code sent}. */
    synchronized void apply(SharedLimitCounters.Report sent, SharedLimitCounters.Totals totals) {
        othersOpen = totals.othersOpen();
        if (sent.epochSecond() == secondEpoch) {
            secondTotal = totals.secondTotal();
        }
        if (sent.epochDay() == dayEpoch) {
            dayTotal = totals.dayTotal();
        }
    }

    /** {@code sent} was not delivered: its requests are reported again with the next exchange. */
    synchronized void failed(SharedLimitCounters.Report sent) {
        if (sent.epochSecond() == secondEpoch) {
            secondUnreported += sent.secondDelta();
        }
        if (sent.epochDay() == dayEpoch) {
            dayUnreported += sent.dayDelta();
        }
    }

    /** True when nothing is left to report. */
    synchronized boolean quiet() {
        return secondUnreported == 0 && dayUnreported == 0;
    }
}
