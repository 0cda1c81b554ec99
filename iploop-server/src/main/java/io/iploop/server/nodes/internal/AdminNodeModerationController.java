package io.iploop.server.nodes.internal;

import io.iploop.server.nodes.NewNodeModeration;
import io.iploop.server.nodes.NodeModeration;
import io.iploop.server.nodes.NodeModerationService;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Node bans and quarantines (docs/moderation.md) under {@code /api/admin/nodes/bans};
 * {@code /api/admin/**} is admin-only with 2FA (SecurityConfig). Bad input is 400
 * {@code invalid_moderation} naming the field.
 */
@RestController
@RequestMapping("/api/admin/nodes/bans")
@Tag(name = "admin", description = "Platform administration (admin role)")
class AdminNodeModerationController {

    private final NodeModerationService moderation;

    AdminNodeModerationController(NodeModerationService moderation) {
        this.moderation = moderation;
    }

    @GetMapping
    @Operation(summary = "Bans and quarantines, newest first (at most 500); active=true for those in force only")
    ModerationsResponse list(@RequestParam(defaultValue = "false") boolean active) {
        return new ModerationsResponse(moderation.list(active));
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Ban (disconnect and refuse) or quarantine (never select) nodes by node id, owner, CIDR or "
            + "ASN, with a reason and an optional expiry; the gateway applies it within about a second")
    NodeModeration create(@AuthenticationPrincipal AuthenticatedUser admin, @RequestBody NewNodeModeration request) {
        return moderation.moderate(admin.userId(), request);
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Lift a ban or quarantine (kept in the history as lifted)")
    NodeModeration lift(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable UUID id) {
        return moderation.lift(admin.userId(), id);
    }

    /** The list wrapped in an object, so fields can be added later. */
    record ModerationsResponse(List<NodeModeration> moderations) {}
}
