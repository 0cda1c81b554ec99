package io.iploop.server.campaigns.internal;

import io.iploop.server.campaigns.CampaignDomain;
import io.iploop.server.campaigns.CampaignDomainsService;
import io.iploop.server.campaigns.CampaignsException;
import io.iploop.server.campaigns.CampaignsException.Reason;
import io.iploop.server.campaigns.CampaignsService;
import io.iploop.server.campaigns.Project;
import io.iploop.server.campaigns.ProjectStatus;
import io.iploop.server.platform.SecureTokens;
import java.net.IDN;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

/**
 * {@link CampaignDomainsService} on {@code campaign_domains} with {@link DomainVerifier}
 * (docs/campaigns.md#domain-verification). Checks run outside database transactions (they wait on
 * the network). Thread-safe.
 */
@Service
class DefaultCampaignDomainsService implements CampaignDomainsService {

    private static final Logger log = LoggerFactory.getLogger(DefaultCampaignDomainsService.class);
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");
    private static final Pattern NUMERIC = Pattern.compile("[0-9]+");

    private final DomainRepository domains;
    private final ProjectRepository projects;
    private final CampaignsService campaigns;
    private final SettingsParser parser;
    private final DomainVerifier verifier;
    private final CampaignsSettings settings;

    DefaultCampaignDomainsService(DomainRepository domains, ProjectRepository projects, CampaignsService campaigns,
            SettingsParser parser, DomainVerifier verifier, CampaignsSettings settings) {
        this.domains = domains;
        this.projects = projects;
        this.campaigns = campaigns;
        this.parser = parser;
        this.verifier = verifier;
        this.settings = settings;
    }

    @Override
    public List<CampaignDomain> list(UUID userId) {
        return domains.list(userId);
    }

    @Override
    public CampaignDomain claim(UUID userId, String domain) {
        String normalized = normalize(domain);
        if (domains.countByUser(userId) >= MAX_DOMAINS) {
            throw new CampaignsException(Reason.INVALID, "an account claims at most " + MAX_DOMAINS + " domains", "domain");
        }
        UUID id = UUID.randomUUID();
        try {
            domains.insert(id, userId, normalized, SecureTokens.randomHex(16));
        } catch (DuplicateKeyException e) {
            throw new CampaignsException(Reason.DOMAIN_ALREADY_CLAIMED, "you already claimed " + normalized, "domain");
        }
        return get(userId, id);
    }

    /**
     * The lower-case ASCII form of a host name (IDNs in punycode, no trailing dot), refusing IP
     * literals, ports, paths and wildcards.
     */
    static String normalize(String domain) {
        String d = domain.strip().toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        String rule = "domain must be a host name such as shop.example.com (no scheme, port, path or IP address)";
        try {
            d = IDN.toASCII(d, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new CampaignsException(Reason.INVALID, rule, "domain");
        }
        if (d.isEmpty() || d.length() > 253) {
            throw new CampaignsException(Reason.INVALID, rule, "domain");
        }
        String[] labels = d.split("\\.", -1);
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                throw new CampaignsException(Reason.INVALID, rule, "domain");
            }
        }
        if (NUMERIC.matcher(labels[labels.length - 1]).matches()) {
            throw new CampaignsException(Reason.INVALID, rule, "domain");
        }
        return d;
    }

    @Override
    public CampaignDomain verify(UUID userId, UUID domainId) {
        CampaignDomain claim = get(userId, domainId);
        DomainVerifier.Result result = verifier.check(claim.domain(), claim.token());
        Instant now = Instant.now();
        if (result.verified()) {
            domains.markVerified(domainId, java.util.Objects.requireNonNull(result.method()), now);
            return get(userId, domainId);
        }
        // Stored for the page; on a verified domain it counts like a failed daily re-check (no lapse here).
        domains.markFailed(domainId, result.detail(), now);
        throw new CampaignsException(Reason.VERIFICATION_FAILED, "could not verify " + claim.domain() + ": "
                + result.detail() + ". Publish TXT " + claim.txtRecord() + " on " + claim.domain() + " or serve "
                + WELL_KNOWN_PATH + " containing " + claim.token(), "domain");
    }

    @Override
    public CampaignDomain get(UUID userId, UUID domainId) {
        return domains.find(userId, domainId).orElseThrow(
                () -> new CampaignsException(Reason.DOMAIN_NOT_FOUND, "no such domain claim", "id"));
    }

    @Override
    public void delete(UUID userId, UUID domainId) {
        CampaignDomain claim = get(userId, domainId);
        List<CampaignDomain> others = domains.verified(userId).stream().filter(d -> !d.id().equals(domainId)).toList();
        for (Project p : projects.live(userId)) {
            if (!uncovered(p, others).isEmpty()) {
                throw new CampaignsException(Reason.DOMAIN_IN_USE, claim.domain() + " is used by project \"" + p.name()
                        + "\" (" + p.status().value() + "): stop it or change its URLs first", "id");
            }
        }
        domains.delete(userId, domainId);
    }

    @Override
    public List<CampaignDomain> verified(UUID userId) {
        return domains.verified(userId);
    }

    @Override
    public String recheckAll() {
        int ok = 0;
        int failed = 0;
        int lapsed = 0;
        int stopped = 0;
        for (CampaignDomain d : domains.allVerified()) {
            DomainVerifier.Result result = verifier.check(d.domain(), d.token());
            Instant now = Instant.now();
            if (result.verified()) {
                domains.markVerified(d.id(), java.util.Objects.requireNonNull(result.method()), now);
                ok++;
                continue;
            }
            failed++;
            int failures = domains.markFailed(d.id(), result.detail(), now);
            if (failures < Math.max(1, settings.lapseAfterFailures())) {
                continue;
            }
            domains.lapse(d.id(), now);
            lapsed++;
            List<CampaignDomain> still = domains.verified(d.userId());
            for (Project p : projects.live(d.userId())) {
                List<String> hosts = uncovered(p, still);
                if (!hosts.isEmpty() && campaigns.changeStatusBySystem(p.id(), ProjectStatus.STOPPED,
                        "The verification of " + d.domain() + " lapsed (" + result.detail() + "); " + String.join(", ", hosts)
                                + " may no longer be targeted. Verify the domain again, then activate the project.")) {
                    stopped++;
                }
            }
            log.info("Campaign domain {} of {} lapsed: {}", d.domain(), d.userId(), result.detail());
        }
        return "re-checked " + (ok + failed) + " domains: " + ok + " verified, " + failed + " failed, " + lapsed
                + " lapsed, " + stopped + " projects stopped";
    }

    /** Hosts of the project's URLs that none of {@code verified} covers. */
    private List<String> uncovered(Project p, List<CampaignDomain> verified) {
        List<String> hosts = new ArrayList<>();
        for (URI url : parser.parse(p.settings()).urls()) {
            String host = DefaultCampaignsService.hostOf(url);
            if (verified.stream().noneMatch(v -> v.covers(host)) && !hosts.contains(host)) {
                hosts.add(host);
            }
        }
        return hosts;
    }
}
