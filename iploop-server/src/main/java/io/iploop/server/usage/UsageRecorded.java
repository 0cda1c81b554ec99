package io.iploop.server.usage;

import java.util.UUID;

/**
 * Metered proxy usage of one account was stored (published once per account and usage batch,
 * inside the transaction that inserted the records, and only for records not stored before).
 * Listeners that update their own tables in the same transaction stay exact: a batch is counted
 * once or not at all. Immutable.
 *
 * @param bytes bytes carried, both directions (bytes billed equal bytes carried:
 *     docs/product/usage.md#metering)
 */
public record UsageRecorded(UUID userId, long bytes) {}
