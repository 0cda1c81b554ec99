package io.iploop.server.campaigns;

import java.util.UUID;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The campaign engine's live pulse for pages (docs/campaigns.md#live-pulse): Server-Sent-Events
 * streams of {@code hit} events, one per delivered visit, with bounded per-listener buffers (a slow
 * listener loses events, counted). Callers check access first. Thread-safe.
 */
public interface CampaignLivePulse {

    /** Every project's visits (admins only: the caller checks). */
    SseEmitter subscribeAll();

    /** The visits of every project of {@code ownerId}. */
    SseEmitter subscribeOwner(UUID ownerId);
}
