package io.iploop.server.campaigns;

import java.math.BigDecimal;

/**
 * A price quote of the CPM curve (docs/campaigns.md#pricing).
 *
 * @param amount the EUR amount quoted, as given
 * @param rate EUR per 1,000 visits for that amount
 * @param estimatedVisits whole visits the amount buys at that rate (rounded down)
 */
public record Quote(BigDecimal amount, BigDecimal rate, long estimatedVisits) {}
