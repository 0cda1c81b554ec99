package io.iploop.server.mail.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MailDeliveryWorkerTest {

    @Test
    void backoffDoublesFromTenSecondsUpToOneHour() {
        assertThat(MailDeliveryWorker.backoff(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(MailDeliveryWorker.backoff(2)).isEqualTo(Duration.ofSeconds(20));
        assertThat(MailDeliveryWorker.backoff(5)).isEqualTo(Duration.ofSeconds(160));
        assertThat(MailDeliveryWorker.backoff(9)).isEqualTo(Duration.ofSeconds(2560));
        assertThat(MailDeliveryWorker.backoff(10)).isEqualTo(Duration.ofHours(1));
        assertThat(MailDeliveryWorker.backoff(1000)).isEqualTo(Duration.ofHours(1));
    }
}
