/**
 * Abuse reports (docs/moderation.md#abuse-reports): the public intake where a target's owner
 * reports traffic, and the admin queue that finds the customers and exit nodes that carried it in
 * the usage records and can quarantine those nodes. The public API is
 * {@link io.iploop.server.abuse.AbuseService}.
 */
@NullMarked
package io.iploop.server.abuse;

import org.jspecify.annotations.NullMarked;
