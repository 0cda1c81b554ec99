package io.iploop.tunnel;

/**
 * The gateway's answer to an accepted HELLO.
 *
 * @param protocolVersion the version the gateway will speak
 * @param nodeId the node's id (nodes.id) as a string
 * @param heartbeatIntervalMillis how often the agent should PING when idle, in ms
 */
public record Welcome(int protocolVersion, String nodeId, int heartbeatIntervalMillis) {}
