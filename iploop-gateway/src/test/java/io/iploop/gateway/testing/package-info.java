/**
 * Test fixtures shared by the gateway's and the server's integration tests (published as the
 * gateway's test-jar): real local origin servers (HTTP and HTTPS with a self-signed certificate)
 * and a runner for the real curl.
 */
@NullMarked
package io.iploop.gateway.testing;

import org.jspecify.annotations.NullMarked;
