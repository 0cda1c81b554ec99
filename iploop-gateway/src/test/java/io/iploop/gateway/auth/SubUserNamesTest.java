package io.iploop.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.spi.SubUserNames;
import org.junit.jupiter.api.Test;

/** The sub-user username {@code CUSTOMERID-sub-NAME} (docs/sub-users.md#credentials). */
class SubUserNamesTest {

    @Test
    void splitsAtTheLastSeparator() {
        SubUserNames.Parsed p = SubUserNames.parse("cust_abcdefghijkl-sub-team_a1");
        assertThat(p).isEqualTo(new SubUserNames.Parsed("cust_abcdefghijkl", "team_a1"));
        assertThat(SubUserNames.username(p.customerId(), p.name())).isEqualTo("cust_abcdefghijkl-sub-team_a1");
    }

    @Test
    void anythingElseIsNotASubUser() {
        assertThat(SubUserNames.parse("cust_abcdefghijkl")).isNull();
        assertThat(SubUserNames.parse("-sub-name")).as("no customer id").isNull();
        assertThat(SubUserNames.parse("cust_abcdefghijkl-sub-")).as("no name").isNull();
        assertThat(SubUserNames.parse("cust_abcdefghijkl-sub-Team")).as("upper case").isNull();
        assertThat(SubUserNames.parse("cust_abcdefghijkl-sub-a-b")).as("dash in the name").isNull();
        assertThat(SubUserNames.parse("cust_abcdefghijkl-sub-" + "a".repeat(33))).as("too long").isNull();
        assertThat(SubUserNames.parse("cust_abcdefghijkl-sub-" + "a".repeat(32))).isNotNull();
    }
}
