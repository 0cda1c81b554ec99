package io.iploop.server.pool;

import java.math.BigDecimal;

/**
 * A pool plan (docs/upstream-pool.md#plans; seed 004: Basic, Pro, Enterprise, Custom). Every limit
 * of 0 means unlimited. Immutable.
 *
 * @param id lower-case id, 1-32 of {@code [a-z0-9_-]}
 * @param name display name
 * @param maxThreads sockets open at once on pool ports
 * @param requestsPerSecond requests per second (burst of one second)
 * @param bytesPerSecondPerSocket shaping per socket, B/s
 * @param bytesPerSecondTotal shaping of all the account's sockets, B/s
 * @param connectionsPerIp sockets at once from one client IP
 * @param requestsPerSecondPerIp requests per second from one client IP
 * @param monthlyQuotaBytes pool bytes per monthly period (10^9 = 1 GB)
 * @param validityDays days a grant lasts from its start (0 = no end)
 * @param price list price per month
 * @param currency ISO 4217, {@code USD}
 */
public record PoolPlan(String id, String name, int maxThreads, int requestsPerSecond, long bytesPerSecondPerSocket,
        long bytesPerSecondTotal, int connectionsPerIp, int requestsPerSecondPerIp, long monthlyQuotaBytes,
        int validityDays, BigDecimal price, String currency) {}
