package io.iploop.gateway.node;

/**
 * An exponentially weighted moving average with a warm-up (docs/exit-quality.md#averages): sample
 * {@code n} moves the value by the weight {@code max(alpha, 1 / (n + priorWeight))}, so the first
 * samples form a plain running mean with the prior counted as {@code priorWeight} samples, and
 * after about {@code 1 / alpha} samples the average forgets old ones at the rate {@code alpha}.
 * Not thread-safe: {@link NodeQuality} guards it.
 */
final class Ewma {

    private final double alpha;
    private final double priorWeight;
    private double value;
    private long samples;

    /**
     * @param alpha weight of a new sample once warmed up, in (0, 1]
     * @param prior the value before any sample
     * @param priorWeight how many samples the prior counts as, >= 0 (0: the first sample replaces it)
     * @throws IllegalArgumentException for an alpha outside (0, 1] or a negative prior weight
     */
    Ewma(double alpha, double prior, double priorWeight) {
        if (!(alpha > 0 && alpha <= 1) || priorWeight < 0) {
            throw new IllegalArgumentException("alpha: " + alpha + ", priorWeight: " + priorWeight
                    + " (expected: alpha in (0, 1], priorWeight >= 0)");
        }
        this.alpha = alpha;
        this.value = prior;
        this.priorWeight = priorWeight;
    }

    /** Adds one sample. */
    void add(double sample) {
        samples++;
        double w = Math.max(alpha, 1.0 / (samples + priorWeight));
        value += w * (sample - value);
    }

    /** The current average (the prior before any sample). */
    double value() {
        return value;
    }

    /** Samples added so far. */
    long samples() {
        return samples;
    }
}
