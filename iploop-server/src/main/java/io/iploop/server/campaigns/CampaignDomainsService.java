package io.iploop.server.campaigns;

import java.util.List;
import java.util.UUID;

/**
 * Domains customers prove to control before campaigns may target them
 * (docs/campaigns.md#domain-verification). Scoped by account; thread-safe.
 */
public interface CampaignDomainsService {

    /** Path of the verification file on the claimed host. */
    String WELL_KNOWN_PATH = "/.well-known/iploop-verification.txt";
    /** Most domains an account may claim. */
    int MAX_DOMAINS = 50;

    /** The account's claims, oldest first. */
    List<CampaignDomain> list(UUID userId);

    /**
     * Claims a domain and hands out its token; unverified until {@link #verify}.
     *
     * @throws CampaignsException {@code INVALID} (field {@code domain}) for something that is not a host
     *     name (IP literals included), {@code DOMAIN_ALREADY_CLAIMED}
     */
    CampaignDomain claim(UUID userId, String domain);

    /**
     * Checks the DNS TXT record, then the well-known file (https, then http, through the egress
     * policy), and marks the domain verified on the first that carries the token.
     *
     * @throws CampaignsException {@code DOMAIN_NOT_FOUND}, or {@code VERIFICATION_FAILED} saying what
     *     each method found (also stored as {@code lastError})
     */
    CampaignDomain verify(UUID userId, UUID domainId);

    /**
     * One claim.
     *
     * @throws CampaignsException {@code DOMAIN_NOT_FOUND}
     */
    CampaignDomain get(UUID userId, UUID domainId);

    /**
     * Withdraws a claim.
     *
     * @throws CampaignsException {@code DOMAIN_NOT_FOUND}, or {@code DOMAIN_IN_USE} while an active or
     *     paused project has a URL that no other verified claim covers
     */
    void delete(UUID userId, UUID domainId);

    /** The account's verified claims. */
    List<CampaignDomain> verified(UUID userId);

    /**
     * Re-checks every verified domain once (the daily job's work); a domain failing
     * {@code iploop.campaigns.lapse-after-failures} checks in a row lapses, and the owner's active or
     * paused projects no longer covered are stopped with a notification.
     *
     * @return a one-line summary
     */
    String recheckAll();
}
