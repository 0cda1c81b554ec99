package io.iploop.server.web.internal;

import io.iploop.gateway.spi.PlanHelp;

/**
 * The dashboard's link for "how do I get more GB or another plan" (402 and 403 refusals, an
 * exhausted plan, targeting the plan lacks): every page's model has it as {@code planHelp}
 * ({@link PageModelAdvice}), templates call {@code ${planHelp.href()}}. The
 * target is {@link PlanHelp#PATH}, the same the gateway names in its refusal texts; while billing is
 * not built it is the plans section of the docs page, which lists the catalogue and says that an
 * administrator changes plans and balances. Stateless; thread-safe.
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
        return "See the plans and how to get more GB";
    }
}
