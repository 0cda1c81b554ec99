package io.iploop.server.campaigns.internal;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code iploop.campaigns.*} (docs/campaigns.md#configuration), fed by environment variables in
 * {@code application.properties}. Immutable.
 *
 * @param dnsResolver {@code IPLOOP_CAMPAIGNS_DNS_RESOLVER}: {@code host:port} of the DNS server asked
 *     for TXT records, empty for the system's resolvers
 * @param checkTimeout DNS and HTTP timeout of one verification check (5 s)
 * @param verificationHttpsPort port of the https file check (443), 0 to skip it
 * @param verificationHttpPort port of the http file check (80), 0 to skip it
 * @param lapseAfterFailures consecutive failed daily re-checks after which a verification lapses (2)
 */
@ConfigurationProperties("iploop.campaigns")
record CampaignsSettings(
        @DefaultValue("") String dnsResolver,
        @DefaultValue("5s") Duration checkTimeout,
        @DefaultValue("443") int verificationHttpsPort,
        @DefaultValue("80") int verificationHttpPort,
        @DefaultValue("2") int lapseAfterFailures) {}
