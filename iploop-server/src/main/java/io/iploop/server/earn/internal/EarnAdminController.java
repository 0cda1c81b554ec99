package io.iploop.server.earn.internal;

import io.iploop.server.earn.AdminEarnView;
import io.iploop.server.earn.EarnService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.iploop.server.earn.ReviewFlag;
import io.iploop.server.platform.AuthenticatedUser;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/admin/earn}: one user's earnings for support (admins only, by SecurityConfig). */
@RestController
@RequestMapping("/api/admin/earn")
@Tag(name = "Admin: earn")
class EarnAdminController {

    private final EarnService earn;

    EarnAdminController(EarnService earn) {
        this.earn = earn;
    }

    @GetMapping("/users/{id}")
    @Operation(summary = "A user's devices, balance, tier, multipliers, referrals and recent device-periods")
    AdminEarnView user(@PathVariable UUID id) {
        return earn.adminView(id);
    }

    @PostMapping("/users/{id}/review-flags/clear")
    @Operation(summary = "Clear the user's open earnings review flags (audited); their cash-outs may be auto-approved again")
    ClearedFlags clearFlags(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable UUID id,
            @RequestBody(required = false) @Nullable NoteBody body) {
        return new ClearedFlags(earn.clearReviewFlags(admin.userId(), id, body == null ? null : body.note()));
    }

    record NoteBody(@Nullable String note) {}

    record ClearedFlags(List<ReviewFlag> cleared) {}
}
