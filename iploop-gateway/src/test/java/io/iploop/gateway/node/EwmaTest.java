package io.iploop.gateway.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class EwmaTest {

    @Test
    void warmsUpAsARunningMeanWithThePriorAsOneSample() {
        Ewma e = new Ewma(0.1, 0.9, 1);
        assertThat(e.value()).isEqualTo(0.9);
        e.add(0);
        assertThat(e.value()).isCloseTo(0.45, within(1e-12)); // (0.9 + 0) / 2
        e.add(0);
        assertThat(e.value()).isCloseTo(0.3, within(1e-12)); // (0.9 + 0 + 0) / 3
        assertThat(e.samples()).isEqualTo(2);
    }

    @Test
    void withoutPriorWeightTheFirstSampleIsTheValue() {
        Ewma e = new Ewma(0.2, 0, 0);
        e.add(250);
        assertThat(e.value()).isEqualTo(250);
    }

    @Test
    void onceWarmedUpOldSamplesFadeAtAlpha() {
        Ewma e = new Ewma(0.2, 0, 0);
        for (int i = 0; i < 100; i++) {
            e.add(100);
        }
        e.add(200);
        assertThat(e.value()).isCloseTo(120, within(1e-9)); // 100 + 0.2 * (200 - 100)
        for (int i = 0; i < 50; i++) {
            e.add(200);
        }
        assertThat(e.value()).isCloseTo(200, within(0.01));
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new Ewma(0, 0, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alpha");
        assertThatThrownBy(() -> new Ewma(1.5, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Ewma(0.5, 0, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
