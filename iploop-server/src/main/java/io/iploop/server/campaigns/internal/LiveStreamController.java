package io.iploop.server.campaigns.internal;

import io.iploop.server.campaigns.CampaignsService;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The live pulse as Server-Sent Events (docs/campaigns.md#live-pulse): every project's hits for
 * admins ({@code /api/admin/**} rules), one project's hits for its owner (another account's project
 * answers 404 like every project route).
 */
@RestController
@Tag(name = "campaigns", description = "Traffic campaigns against the caller's verified domains")
class LiveStreamController {

    private final LivePulse pulse;
    private final CampaignsService campaigns;

    LiveStreamController(LivePulse pulse, CampaignsService campaigns) {
        this.pulse = pulse;
        this.campaigns = campaigns;
    }

    @GetMapping(path = "/api/admin/live-stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Every campaign visit as it is delivered (admin)")
    SseEmitter all() {
        return pulse.subscribe(null);
    }

    @GetMapping(path = "/api/projects/{id}/live-stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "The visits of one of the caller's projects as they are delivered")
    SseEmitter project(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        campaigns.get(caller.userId(), id);
        return pulse.subscribe(id);
    }
}
