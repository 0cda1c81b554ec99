package io.iploop.gateway.spi;

/**
 * Where a customer refused for their plan (402 balance used up, 403 targeting or sticky sessions
 * not included) learns what the plan includes and how to get more (docs/product/plans.md#getting-more).
 * The one place this target is named: the gateway's refusal texts and the dashboard's links both
 * use it. It is the billing page (docs/billing.md), which sells credits and GB and links to the
 * plan catalogue.
 */
public final class PlanHelp {

    /** The dashboard path, relative to the control plane's address. */
    public static final String PATH = "/billing";

    private PlanHelp() {}
}
