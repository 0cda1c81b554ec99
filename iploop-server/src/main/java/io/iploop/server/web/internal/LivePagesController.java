package io.iploop.server.web.internal;

import io.iploop.server.campaigns.CampaignLivePulse;
import io.iploop.server.platform.AuthenticatedUser;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The live pulse for dashboard pages (docs/campaigns.md#live-pulse), on the pages' session: the
 * caller's own projects' visits for the Campaigns page, every visit for the admin Live page
 * ({@code /admin/**} rules). The pages' table is filled by {@code /js/app.js} with {@code EventSource}.
 */
@Controller
final class LivePagesController {

    private final CampaignLivePulse pulse;

    LivePagesController(CampaignLivePulse pulse) {
        this.pulse = pulse;
    }

    @GetMapping("/campaigns/live-stream")
    @ResponseBody
    SseEmitter ownStream(@AuthenticationPrincipal AuthenticatedUser me) {
        return pulse.subscribeOwner(me.userId());
    }

    @GetMapping("/admin/live")
    String adminPage() {
        return "admin/live";
    }

    @GetMapping("/admin/live-stream")
    @ResponseBody
    SseEmitter adminStream() {
        return pulse.subscribeAll();
    }
}
