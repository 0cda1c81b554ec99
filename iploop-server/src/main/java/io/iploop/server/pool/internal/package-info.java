/**
 * Upstream pool implementation: the upstream file parser, port assignment, repositories, the
 * gateway SPI beans, the file watcher, the REST controllers (admin, customer, goproxy hooks) and the
 * admin API token store.
 */
@NullMarked
package io.iploop.server.pool.internal;

import org.jspecify.annotations.NullMarked;
