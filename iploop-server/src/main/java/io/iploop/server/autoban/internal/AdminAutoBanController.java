package io.iploop.server.autoban.internal;

import io.iploop.server.autoban.AutoBanRules;
import io.iploop.server.autoban.AutoBanRulesUpdate;
import io.iploop.server.autoban.AutoBanService;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The auto-ban rules' settings (docs/moderation.md#auto-ban-rules) under
 * {@code /api/admin/nodes/auto-ban-rules}; {@code /api/admin/**} is admin-only with 2FA
 * (SecurityConfig). A setting out of range is 400 {@code invalid_auto_ban_rules} naming the field.
 */
@RestController
@RequestMapping("/api/admin/nodes/auto-ban-rules")
@Tag(name = "admin", description = "Platform administration (admin role)")
class AdminAutoBanController {

    private final AutoBanService autoBan;

    AdminAutoBanController(AutoBanService autoBan) {
        this.autoBan = autoBan;
    }

    @GetMapping
    @Operation(summary = "The auto-ban rules' settings (quality, abuse-reports, earnings-anomaly)")
    AutoBanRules rules() {
        return autoBan.rules();
    }

    @PutMapping
    @Operation(summary = "Change auto-ban settings: each field present replaces that setting, absent ones keep "
            + "theirs; the job applies them from its next run (every minute)")
    AutoBanRules update(@AuthenticationPrincipal AuthenticatedUser admin, @RequestBody AutoBanRulesUpdate update) {
        return autoBan.update(admin.userId(), update);
    }
}
