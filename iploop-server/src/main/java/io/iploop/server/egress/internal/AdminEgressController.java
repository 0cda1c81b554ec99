package io.iploop.server.egress.internal;

import io.iploop.server.egress.BlocklistEntry;
import io.iploop.server.egress.EgressBlocklistService;
import io.iploop.server.egress.NewBlocklistEntry;
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
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The admin destination blocklist (docs/security.md#destination-blocklist) under
 * {@code /api/admin/egress/blocklist}; {@code /api/admin/**} is admin-only with 2FA (SecurityConfig).
 * Validation errors are 400 {@code validation_failed} naming the field.
 */
@RestController
@RequestMapping("/api/admin/egress/blocklist")
@Tag(name = "admin", description = "Platform administration (admin role)")
class AdminEgressController {

    private final EgressBlocklistService blocklist;

    AdminEgressController(EgressBlocklistService blocklist) {
        this.blocklist = blocklist;
    }

    @GetMapping
    @Operation(summary = "Every blocked destination, oldest first")
    BlocklistResponse list() {
        return new BlocklistResponse(blocklist.list());
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Block a host (exact or *.suffix), a CIDR, a port, or a port of a host or CIDR; "
            + "the gateway refuses it within 2 s")
    BlocklistEntry add(@AuthenticationPrincipal AuthenticatedUser admin, @RequestBody NewBlocklistEntry entry) {
        return blocklist.add(admin.userId(), entry);
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Remove a blocklist entry")
    void remove(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable UUID id) {
        blocklist.remove(admin.userId(), id);
    }

    /** The list wrapped in an object, so fields can be added later. */
    record BlocklistResponse(List<BlocklistEntry> entries) {}
}
