package io.iploop.server.web.internal;

import io.iploop.gateway.spi.PlanHelp;

/**
 * The dashboard's link for "how do I get more GB or another plan" (402 and 403 refusals, an
 * exhausted plan, targeting the plan lacks): every page's model has it as {@code planHelp}
 * ({@link PageModelAdvice}), templates call {@code ${planHelp.href()}}. The
 * target is {@link PlanHelp#PATH}, the same the gateway names in its refusal texts: the billing page
 * (docs/billing.md), where credits and GB are bought and the plan catalogue is linked. Stateless;
 * thread-safe.
 */
public final class PlanHelpLink {

    /** The one instance. */
    static final PlanHelpLink INSTANCE = new PlanHelpLink();

    private PlanHelpLink() {}

    /** The link target, a path on this server. */
    public String href() {
        return PlanHelp.PATH;
    }

    /** The link text. */
    public String label() {
        return "Top up or upgrade your plan";
    }
}
