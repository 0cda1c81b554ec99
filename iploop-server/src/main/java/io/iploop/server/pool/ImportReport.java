package io.iploop.server.pool;

/**
 * What an import changed. Immutable.
 *
 * @param added upstreams bound to new ports
 * @param updated known upstreams (same port) whose password changed
 * @param unchanged known upstreams left as they were
 * @param removed upstreams removed (replace mode)
 * @param total upstreams stored after the import
 */
public record ImportReport(int added, int updated, int unchanged, int removed, int total) {}
