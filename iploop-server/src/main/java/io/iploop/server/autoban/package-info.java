/**
 * Auto-ban rules (docs/moderation.md#auto-ban-rules): a scheduled job that quarantines exit nodes
 * without waiting for an admin when the server's own evidence says so: a quality score that stays
 * poor, abuse reports piling up against a node, an earnings anomaly on a device. Every action goes
 * through the nodes feature's moderation, so it reaches the gateway like an admin's quarantine. The
 * public API is {@link io.iploop.server.autoban.AutoBanService}.
 */
@NullMarked
package io.iploop.server.autoban;

import org.jspecify.annotations.NullMarked;
