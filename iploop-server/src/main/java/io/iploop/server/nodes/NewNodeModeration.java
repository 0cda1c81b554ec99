package io.iploop.server.nodes;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An admin's request to ban or quarantine exit nodes (docs/moderation.md); validated by
 * {@link NodeModerationService#moderate}, which names the first bad field.
 *
 * @param action {@code ban} or {@code quarantine}
 * @param scope {@code node}, {@code owner}, {@code cidr} or {@code asn}
 * @param target the node id (UUID), the owner's user id (UUID), a CIDR such as {@code 203.0.113.0/24}
 *     or {@code 2001:db8::/32} (a bare address means one host), or an ASN (1-2147483647, the range the node registry stores; {@code AS} prefix allowed)
 * @param reason why, 1-500 characters; shown to the node's owner
 * @param expiresAt when it ends by itself (in the future), or null for never
 */
public record NewNodeModeration(@Nullable String action, @Nullable String scope, @Nullable String target,
        @Nullable String reason, @Nullable Instant expiresAt) {}
