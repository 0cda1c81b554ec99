package io.iploop.server.nodes;

/**
 * A node key just issued: {@code key} ({@code ipn_} + 48 hex) is shown once; only its SHA-256 is
 * stored. The operator passes it to {@code proxyclaw login}. Immutable.
 */
public record IssuedNodeKey(NodeKey nodeKey, String key) {}
