package io.iploop.server.campaigns.internal;

import io.iploop.server.campaigns.CampaignDomain;
import io.iploop.server.campaigns.CampaignDomainsService;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/projects/domains} (docs/campaigns.md#domain-verification): the caller's domain claims,
 * each with the TXT record and file that verify it. Another account's claim answers 404.
 */
@RestController
@RequestMapping("/api/projects/domains")
@Tag(name = "campaigns")
class DomainsController {

    private final CampaignDomainsService domains;

    DomainsController(CampaignDomainsService domains) {
        this.domains = domains;
    }

    @GetMapping
    @Operation(summary = "The caller's domain claims")
    DomainsResponse list(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new DomainsResponse(domains.list(caller.userId()).stream().map(DomainView::of).toList());
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Claim a domain; the answer says how to prove control of it")
    DomainView claim(@AuthenticationPrincipal AuthenticatedUser caller, @RequestBody ClaimRequest r) {
        return DomainView.of(domains.claim(caller.userId(), r.domain() == null ? "" : r.domain()));
    }

    @GetMapping("/{id}")
    @Operation(summary = "One domain claim")
    DomainView get(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        return DomainView.of(domains.get(caller.userId(), id));
    }

    @PostMapping("/{id}/verify")
    @Operation(summary = "Check the TXT record, then the well-known file; 422 saying what was found if neither carries the token")
    DomainView verify(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        return DomainView.of(domains.verify(caller.userId(), id));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Withdraw a claim (409 while an active or paused project needs it)")
    void delete(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        domains.delete(caller.userId(), id);
    }

    record ClaimRequest(@Nullable String domain) {}

    record DomainsResponse(List<DomainView> domains) {}

    /** A claim with its verification instructions. */
    record DomainView(UUID id, String domain, boolean verified, @Nullable String method, String token,
            TxtRecord dnsRecord, VerificationFile file, @Nullable Instant verifiedAt, @Nullable Instant lastCheckedAt,
            @Nullable String lastError, @Nullable Instant lapsedAt, Instant createdAt) {

        static DomainView of(CampaignDomain d) {
            return new DomainView(d.id(), d.domain(), d.verified(), d.method(), d.token(),
                    new TxtRecord("TXT", d.domain(), d.txtRecord()),
                    new VerificationFile("https://" + d.domain() + CampaignDomainsService.WELL_KNOWN_PATH, d.token()),
                    d.verifiedAt(), d.lastCheckedAt(), d.lastError(), d.lapsedAt(), d.createdAt());
        }
    }

    record TxtRecord(String type, String name, String value) {}

    record VerificationFile(String url, String content) {}
}
