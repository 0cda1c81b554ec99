package io.iploop.server.usage;

import java.util.UUID;

/**
 * Metered proxy usage of one sub-user was stored (docs/sub-users.md#usage): published once per
 * sub-user and usage batch, inside the transaction that inserted the records, only for records not
 * stored before, next to the account's {@link UsageRecorded}. A listener that updates its own table
 * in the same transaction counts a batch once or not at all; it must not fail for a sub-user it no
 * longer knows (the batch would roll back). Immutable.
 *
 * @param userId the parent account
 * @param bytes bytes carried, both directions
 */
public record SubUserUsageRecorded(UUID userId, UUID subUserId, long bytes) {}
