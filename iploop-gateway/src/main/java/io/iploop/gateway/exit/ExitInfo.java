package io.iploop.gateway.exit;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Public facts about an exit, safe to reveal in {@code -debug-1} headers
 * (docs/product/proxy.md#debug: never the node's private identity such as device id, owner or IP).
 *
 * @param nodeId the exit node's id (nodes.id), null for non-node exits
 * @param asn 0 when unknown
 */
public record ExitInfo(@Nullable UUID nodeId, @Nullable String country, @Nullable String city, int asn, @Nullable String session) {}
