package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.ProfileService;
import io.iploop.server.accounts.UseCases;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/account/use-case} (docs/operator-transparency.md#customer-categories): the caller's
 * declared use case, the category operators see instead of the caller's identity.
 */
@RestController
@RequestMapping("/api/account/use-case")
@Tag(name = "auth", description = "Accounts and tokens")
class AccountUseCaseController {

    private final ProfileService profiles;

    AccountUseCaseController(ProfileService profiles) {
        this.profiles = profiles;
    }

    @GetMapping
    @Operation(summary = "The caller's declared use case (null: undeclared) and the valid values")
    UseCaseResponse get(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new UseCaseResponse(profiles.useCase(caller.userId()), UseCases.ALL);
    }

    @PutMapping
    @Operation(summary = "Declare the caller's use case (one of the fixed list; null clears it); operators see it, "
            + "never who the customer is",
            description = "400 validation_failed naming useCase for a value not in the list (docs/operator-transparency.md).")
    UseCaseResponse put(@AuthenticationPrincipal AuthenticatedUser caller, @RequestBody UseCaseRequest r) {
        return new UseCaseResponse(profiles.setUseCase(caller.userId(), r.useCase()), UseCases.ALL);
    }

    /** {@code useCase}: one of {@link UseCases#ALL}, or null to clear. */
    record UseCaseRequest(@Nullable String useCase) {}

    /** {@code useCase}: the stored use case or null; {@code valid}: every value the PUT accepts. */
    record UseCaseResponse(@Nullable String useCase, List<String> valid) {}
}
