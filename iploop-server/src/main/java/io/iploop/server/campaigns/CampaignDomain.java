package io.iploop.server.campaigns;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A domain an account claimed for campaigns (docs/campaigns.md#domain-verification). Immutable.
 *
 * @param domain lower-case ASCII host name (IDNs in punycode), no trailing dot
 * @param token the value to publish: TXT {@code iploop-verification=<token>} or the file's content
 * @param method {@code dns} (covers the domain and its subdomains), {@code file} (this exact host), or
 *     null while unverified
 * @param verifiedAt when it was (last) verified, null while unverified or after it lapsed
 * @param lastError what the last failed check found, or null
 * @param lapsedAt when daily re-checks took the verification away, or null
 */
public record CampaignDomain(UUID id, UUID userId, String domain, String token, @Nullable String method,
        @Nullable Instant verifiedAt, @Nullable Instant lastCheckedAt, @Nullable String lastError,
        @Nullable Instant lapsedAt, Instant createdAt) {

    /** The TXT record value that verifies the domain by DNS. */
    public String txtRecord() {
        return "iploop-verification=" + token;
    }

    /** True while verified. */
    public boolean verified() {
        return verifiedAt != null;
    }

    /** True if a URL with this host may be targeted under this claim (exact host, or subdomain for DNS). */
    public boolean covers(String host) {
        if (!verified()) {
            return false;
        }
        return host.equals(domain) || "dns".equals(method) && host.endsWith("." + domain);
    }
}
