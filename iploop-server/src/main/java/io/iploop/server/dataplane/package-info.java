/**
 * Hosts the data plane inside the control plane process: builds the gateway from the features' SPI implementations, starts and stops it with the application context, runs the optional local node, and publishes its health and metrics.
 */
@NullMarked
package io.iploop.server.dataplane;

import org.jspecify.annotations.NullMarked;
