package io.iploop.server.webhooks.internal;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code iploop.webhooks.*} (docs/integrations/webhooks.md#delivery), fed by environment variables in
 * {@code application.properties}. Immutable.
 *
 * @param allowHttp {@code IPLOOP_WEBHOOKS_ALLOW_HTTP} (false): accept {@code http://} endpoint URLs
 *     (local tests and trials only); loopback destinations additionally need
 *     {@code IPLOOP_EGRESS_ALLOW_LOOPBACK}
 * @param pollInterval how often the worker looks for due events (1 s)
 * @param retryFirst delay after the first failed attempt (30 s); each further one is 4 times longer
 * @param retryMax longest delay between attempts (12 h): 8 attempts span about 23.5 h
 * @param maxAttempts attempts per event before it is given up (8)
 * @param connectTimeout TCP and TLS connect timeout (5 s)
 * @param requestTimeout whole-request timeout, response included (10 s)
 * @param disableAfterFailures consecutive failed attempts that disable an endpoint (10) ...
 * @param disableAfter ... once the failures have also lasted this long (24 h)
 */
@ConfigurationProperties("iploop.webhooks")
record WebhooksSettings(
        @DefaultValue("false") boolean allowHttp,
        @DefaultValue("1s") Duration pollInterval,
        @DefaultValue("30s") Duration retryFirst,
        @DefaultValue("12h") Duration retryMax,
        @DefaultValue("8") int maxAttempts,
        @DefaultValue("5s") Duration connectTimeout,
        @DefaultValue("10s") Duration requestTimeout,
        @DefaultValue("10") int disableAfterFailures,
        @DefaultValue("24h") Duration disableAfter) {}
