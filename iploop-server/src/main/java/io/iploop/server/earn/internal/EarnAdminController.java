package io.iploop.server.earn.internal;

import io.iploop.server.earn.AdminEarnView;
import io.iploop.server.earn.EarnService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.UUID;
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
}
