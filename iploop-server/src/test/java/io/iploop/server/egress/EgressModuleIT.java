package io.iploop.server.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.reset;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.testing.ModuleTestDatabase;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.modulith.test.ApplicationModuleTest;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * The egress feature alone (Spring Modulith module test): its service and repository against the
 * real embedded PostgreSQL, with {@link AuditService}, its one dependency, replaced by a mock, so a
 * test can see what is audited and make the audit fail.
 */
@ApplicationModuleTest
@ContextConfiguration(initializers = ModuleTestDatabase.class)
class EgressModuleIT {

    @MockitoBean
    AuditService audit;

    @Autowired
    EgressBlocklistService blocklist;

    final UUID admin = UUID.randomUUID();

    @BeforeEach
    void freshMock() {
        reset(audit);
    }

    @Test
    void addNormalizesStoresAuditsAndRemoves() {
        BlocklistEntry added = blocklist.add(admin, new NewBlocklistEntry("Bad.Example.COM.", null, 443, " abuse report "));

        assertThat(added.host()).isEqualTo("bad.example.com");
        assertThat(added.port()).isEqualTo(443);
        assertThat(added.reason()).isEqualTo("abuse report");
        assertThat(added.createdBy()).isEqualTo(admin);
        assertThat(blocklist.list()).contains(added);
        ArgumentCaptor<AuditEvent> event = ArgumentCaptor.forClass(AuditEvent.class);
        verify(audit).record(event.capture());
        assertThat(event.getValue().action()).isEqualTo(AuditAction.EGRESS_BLOCKLIST_ENTRY_ADDED);
        assertThat(event.getValue().resourceId()).isEqualTo(added.id().toString());

        BlocklistEntry network = blocklist.add(admin, new NewBlocklistEntry(null, "203.0.113.77/24", null, "range"));
        assertThat(network.cidr()).isEqualTo("203.0.113.0/24");

        blocklist.remove(admin, added.id());
        assertThat(blocklist.list()).doesNotContain(added).contains(network);
        assertThatThrownBy(() -> blocklist.remove(admin, added.id()))
                .isInstanceOfSatisfying(EgressException.class,
                        e -> assertThat(e.reason()).isEqualTo(EgressException.Reason.ENTRY_NOT_FOUND));
    }

    @Test
    void invalidEntriesAreRefusedNamingTheFieldAndStoreNothing() {
        int before = blocklist.list().size();

        assertInvalid(new NewBlocklistEntry("example.com", "10.0.0.0/8", null, "both"), "cidr");
        assertInvalid(new NewBlocklistEntry(null, null, null, "nothing"), "host");
        assertInvalid(new NewBlocklistEntry(null, null, 70_000, "port"), "port");
        assertInvalid(new NewBlocklistEntry(null, "10.0.0.0/33", null, "prefix"), "cidr");
        assertInvalid(new NewBlocklistEntry("example.com", null, null, "  "), "reason");

        assertThat(blocklist.list()).hasSize(before);
        verifyNoInteractions(audit);
    }

    @Test
    void anAuditThatFailsLeavesNoEntry() {
        doThrow(new IllegalStateException("audit down")).when(audit).record(any());
        int before = blocklist.list().size();

        assertThatThrownBy(() -> blocklist.add(admin, new NewBlocklistEntry("rollback.example", null, null, "r")))
                .hasMessage("audit down");

        assertThat(blocklist.list()).hasSize(before)
                .noneMatch(e -> "rollback.example".equals(e.host()));
    }

    private void assertInvalid(NewBlocklistEntry entry, String field) {
        assertThatThrownBy(() -> blocklist.add(admin, entry))
                .as("%s", entry)
                .isInstanceOfSatisfying(EgressException.class, e -> {
                    assertThat(e.reason()).isEqualTo(EgressException.Reason.INVALID_ENTRY);
                    assertThat(e.field()).isEqualTo(field);
                });
    }
}
