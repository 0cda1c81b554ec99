/**
 * The {@code proxyclaw} command line (docs/product/earn.md#node-agent): login, start (foreground or daemon), stop,
 * status, config and logout, over a private configuration directory ({@code $PROXYCLAW_HOME} or
 * {@code ~/.proxyclaw}) that {@code PROXYCLAW_*} environment variables can override for containers.
 */
@NullMarked
package io.iploop.node.cli;

import org.jspecify.annotations.NullMarked;
