package io.iploop.server.plans;

/**
 * A plan as admins see it (docs/product/admin.md#plans): the plan, its currency, catalogue position,
 * whether it is offered, and how many accounts are on it now. Immutable.
 *
 * @param currency ISO 4217 code of the plan's prices
 * @param active false for a plan withdrawn from the catalogue (existing subscribers keep it)
 * @param activeSubscribers accounts whose active subscription is this plan
 */
public record PlanDetails(Plan plan, String currency, int sortOrder, boolean active, long activeSubscribers) {}
