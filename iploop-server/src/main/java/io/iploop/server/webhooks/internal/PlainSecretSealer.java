package io.iploop.server.webhooks.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Once the server is ready, seals the webhook signing secrets that an earlier version stored in
 * clear (docs/integrations/webhooks.md#secrets-at-rest). Safe to run on several replicas at once:
 * each row is replaced only if it still holds the clear secret.
 */
@Component
class PlainSecretSealer {

    private static final Logger log = LoggerFactory.getLogger(PlainSecretSealer.class);

    private final WebhookRepository repository;

    PlainSecretSealer(WebhookRepository repository) {
        this.repository = repository;
    }

    @EventListener(ApplicationReadyEvent.class)
    void sealOnStart() {
        int sealed = repository.sealPlainSecrets();
        if (sealed > 0) {
            log.info("Sealed {} webhook signing secret(s) that were stored in clear", sealed);
        }
    }
}
