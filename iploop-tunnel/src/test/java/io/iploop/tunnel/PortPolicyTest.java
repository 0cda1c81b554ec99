package io.iploop.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PortPolicyTest {

    @Test
    void defaultWebPolicyAllowsOnly80And443() {
        assertThat(PortPolicy.WEB.allows(80)).isTrue();
        assertThat(PortPolicy.WEB.allows(443)).isTrue();
        assertThat(PortPolicy.WEB.allows(22)).isFalse();
        assertThat(PortPolicy.WEB.allows(81)).isFalse();
        assertThat(PortPolicy.WEB.allows(8443)).isFalse();
        assertThat(PortPolicy.WEB.toString()).isEqualTo("80,443");
    }

    @Test
    void parsesListsRangesAndAll() {
        PortPolicy p = PortPolicy.parse(" 8000-9000, 443 ,80,8500-9100,9101 ");
        assertThat(p.toString()).isEqualTo("80,443,8000-9101");
        assertThat(p.allows(8000)).isTrue();
        assertThat(p.allows(9101)).isTrue();
        assertThat(p.allows(9102)).isFalse();
        assertThat(p.allows(7999)).isFalse();
        assertThat(p.allows(0)).isFalse();
        assertThat(PortPolicy.parse("ALL")).isSameAs(PortPolicy.ALL);
        assertThat(PortPolicy.parse("1-65535").isAll()).isTrue();
        assertThat(PortPolicy.ALL.allows(22)).isTrue();
        assertThat(PortPolicy.parse(PortPolicy.parse("22,80-81").toString())).isEqualTo(PortPolicy.parse("80-81,22"));
    }

    @Test
    void rejectsBadSpecsNamingTheItem() {
        assertThatThrownBy(() -> PortPolicy.parse("")).hasMessageContaining("expected: all");
        assertThatThrownBy(() -> PortPolicy.parse("80,ssh")).hasMessageContaining("bad: ssh");
        assertThatThrownBy(() -> PortPolicy.parse("0")).hasMessageContaining("bad: 0");
        assertThatThrownBy(() -> PortPolicy.parse("65536")).hasMessageContaining("bad: 65536");
        assertThatThrownBy(() -> PortPolicy.parse("90-80")).hasMessageContaining("bad: 90-80");
        assertThatThrownBy(() -> PortPolicy.parse("80,,443")).hasMessageContaining("an empty item");
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 65; i++) {
            many.append(i == 0 ? "" : ",").append(1000 + 2 * i);
        }
        assertThatThrownBy(() -> PortPolicy.parse(many.toString())).hasMessageContaining("at most 64");
    }
}
