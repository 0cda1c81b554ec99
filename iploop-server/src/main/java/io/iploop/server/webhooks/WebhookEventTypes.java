package io.iploop.server.webhooks;

import java.util.List;

/**
 * The event types an endpoint may subscribe to (docs/integrations/webhooks.md#events). Each is
 * published from a feature's own event; the list grows as features publish more.
 */
public final class WebhookEventTypes {

    /** Sent only by {@code POST /api/webhooks/{id}/test}, to that endpoint, whatever it subscribes to. */
    public static final String TEST = "webhook.test";
    /** A cash-out of the account (an operator's payout) changed status. */
    public static final String CASHOUT_STATUS_CHANGED = "cashout.status_changed";

    /** The account's plan traffic crossed 80 % or 100 % of its allowance (used + remaining GB). */
    public static final String USAGE_THRESHOLD = "usage.threshold";

    /** A sub-user's traffic reached its own limit (docs/sub-users.md#limits); its requests now get 402. */
    public static final String SUB_USER_LIMIT_REACHED = "sub_user.limit_reached";

    /** Every type an endpoint may subscribe to, in documentation order. */
    public static final List<String> SUBSCRIBABLE = List.of(USAGE_THRESHOLD, CASHOUT_STATUS_CHANGED, SUB_USER_LIMIT_REACHED);

    private WebhookEventTypes() {}
}
