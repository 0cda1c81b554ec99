package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.AccountAdminService;
import io.iploop.server.platform.ApiError;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Admin side of account security under {@code /api/admin/users} (an admin can turn
 * 2FA off for a locked-out user: docs/product/accounts.md#two-factor-authentication). Like all of {@code /api/admin/**} it needs an admin
 * token issued with 2FA (SecurityConfig). Kept apart from the admin feature's user controller.
 */
@RestController
@RequestMapping("/api/admin/users")
@Tag(name = "admin", description = "Platform administration")
class AccountSecurityAdminController {

    private final AccountAdminService accountAdmin;

    AccountSecurityAdminController(AccountAdminService accountAdmin) {
        this.accountAdmin = accountAdmin;
    }

    @PostMapping("/{id}/2fa/reset")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Turn 2FA off for a user who lost their authenticator (audited)")
    @ApiResponse(responseCode = "204", description = "2FA is off; the user's backup codes are deleted")
    @ApiResponse(responseCode = "403", description = "two_factor_required: the admin's token was issued without 2FA",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(responseCode = "404", description = "account_not_found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    void resetTwoFactor(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        accountAdmin.resetTwoFactor(caller.userId(), id);
    }
}
