/**
 * Test fixtures for the server's integration tests ({@code *IT}, run by Failsafe): {@link
 * io.iploop.server.testing.PlatformTest} starts the shared running platform (one Spring context for
 * every test that uses it), {@link io.iploop.server.testing.Api} calls its REST API, {@link
 * io.iploop.server.testing.Mailbox} reads the mail it sends, {@link io.iploop.server.testing.PayPalStub}
 * stands in for PayPal, {@link io.iploop.server.testing.BrowserTest} drives the dashboard in
 * headless Chromium and {@link io.iploop.server.testing.CashoutFixtures} sets up cash-outs. How to
 * use them is described in {@code docs/testing.md}.
 */
@NullMarked
package io.iploop.server.testing;

import org.jspecify.annotations.NullMarked;
