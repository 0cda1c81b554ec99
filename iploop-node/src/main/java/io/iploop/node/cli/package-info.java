/**
 * The {@code proxyclaw} command line (seed 000 §3.2.5): login, start (foreground or daemon), stop,
 * status, config and logout, over a private configuration directory ({@code $PROXYCLAW_HOME} or
 * {@code ~/.proxyclaw}) that {@code PROXYCLAW_*} environment variables can override for containers.
 */
@NullMarked
package io.iploop.node.cli;

import org.jspecify.annotations.NullMarked;
