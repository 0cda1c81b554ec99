/**
 * Whole-system benchmarks of the data plane: {@link io.iploop.bench.DataPlaneHarness} runs a
 * database-free gateway and a node agent on loopback so {@code iploop-bench/bench.sh} can load them
 * side by side with Squid, tinyproxy and Dante.
 */
@NullMarked
package io.iploop.bench;

import org.jspecify.annotations.NullMarked;
