package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.PrivacyService;
import io.iploop.server.accounts.ProfileService;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The person's data rights over the REST API (docs/privacy.md): {@code GET /api/account/export}
 * (ZIP, once per hour), {@code DELETE /api/account} (erasure), {@code GET /api/account/consents} and
 * the public {@code GET /api/privacy/policy}. Every path acts on the caller's own account only.
 */
@RestController
@Tag(name = "privacy", description = "Data export, erasure and consents")
class PrivacyController {

    private final PrivacyService privacy;
    private final ProfileService profiles;

    PrivacyController(PrivacyService privacy, ProfileService profiles) {
        this.privacy = privacy;
        this.profiles = profiles;
    }

    @GetMapping(value = "/api/account/export", produces = "application/zip")
    @Operation(summary = "Download everything the platform holds about the caller as a ZIP of JSON and CSV files, "
            + "one folder per feature; once per hour (429 export_rate_limited with Retry-After otherwise); audited")
    @ApiResponse(responseCode = "200", description = "the ZIP", content = @Content(mediaType = "application/zip"))
    void export(@AuthenticationPrincipal AuthenticatedUser caller, HttpServletResponse response) throws IOException {
        privacy.beginExport(caller.userId());
        response.setContentType("application/zip");
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"iploop-data-" + caller.customerId()
                + "-" + LocalDate.now(ZoneOffset.UTC) + ".zip\"");
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        privacy.writeExport(caller.userId(), response.getOutputStream());
        response.flushBuffer();
    }

    @DeleteMapping("/api/account")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Erase the caller's account: personal data anonymised, keys revoked, sessions ended; ledger, "
            + "invoices and credit notes kept (docs/privacy.md#erasure). Needs the password and, with 2FA on, totpCode "
            + "(TOTP or backup code); 409 with the reason's code (e.g. cashout_pending) while something must finish first")
    void erase(@AuthenticationPrincipal AuthenticatedUser caller, @Valid @RequestBody ErasureRequest r) {
        profiles.deleteOwnAccount(caller.userId(), r.password(), r.totpCode());
    }

    @GetMapping("/api/account/consents")
    @Operation(summary = "The consents the caller gave at sign-up: document, version, time and IP")
    List<PrivacyService.Consent> consents(@AuthenticationPrincipal AuthenticatedUser caller) {
        return privacy.consents(caller.userId());
    }

    @GetMapping("/api/privacy/policy")
    @Operation(summary = "The current versions of the terms of service and the privacy policy (public)")
    PrivacyService.PolicyVersions policy() {
        return privacy.policyVersions();
    }

    /** The password, and a TOTP or backup code when the account uses 2FA. */
    record ErasureRequest(@NotBlank @Size(max = 128) String password, @Size(max = 64) @Nullable String totpCode) {}
}
