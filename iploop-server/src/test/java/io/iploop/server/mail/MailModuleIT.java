package io.iploop.server.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.iploop.server.testing.ModuleTestDatabase;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.modulith.test.ApplicationModuleTest;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The mail feature alone (Spring Modulith module test): the transactional outbox and its delivery
 * worker against the real embedded PostgreSQL, without SMTP, so messages land in the dev mailbox.
 */
@ApplicationModuleTest
@ContextConfiguration(initializers = ModuleTestDatabase.class)
class MailModuleIT {

    @Autowired
    MailService mail;

    @Autowired
    TransactionTemplate tx;

    @Test
    void mailOfACommittedChangeIsDeliveredToTheDevMailbox() {
        String to = "module-" + UUID.randomUUID() + "@example.test";

        tx.executeWithoutResult(status -> mail.enqueue(new OutgoingMail(to, "Welcome", "Hello, module test.")));

        DevMail delivered = await().atMost(Duration.ofSeconds(10))
                .until(() -> mail.devMailbox(50).stream().filter(m -> m.to().equals(to)).findFirst().orElse(null),
                        m -> m != null);
        assertThat(delivered.subject()).isEqualTo("Welcome");
        assertThat(delivered.body()).isEqualTo("Hello, module test.");
        assertThat(delivered.deliveredAt()).isAfterOrEqualTo(delivered.createdAt());
    }

    @Test
    void mailOfARolledBackChangeIsNeverSent() throws InterruptedException {
        String rolledBack = "rolled-back-" + UUID.randomUUID() + "@example.test";
        String committed = "committed-" + UUID.randomUUID() + "@example.test";

        tx.executeWithoutResult(status -> {
            mail.enqueue(new OutgoingMail(rolledBack, "Never", "This change is rolled back."));
            status.setRollbackOnly();
        });
        // A later committed message is delivered: by then the worker has seen the outbox at least once.
        tx.executeWithoutResult(status -> mail.enqueue(new OutgoingMail(committed, "Later", "Sent.")));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> mail.devMailbox(50).stream().anyMatch(m -> m.to().equals(committed)));

        assertThat(mail.devMailbox(50)).noneMatch(m -> m.to().equals(rolledBack));
    }

    @Test
    void enqueueOutsideATransactionIsRefused() {
        assertThatThrownBy(() -> mail.enqueue(new OutgoingMail("x@example.test", "No", "No transaction.")))
                .isInstanceOf(IllegalTransactionStateException.class);
    }
}
