package io.iploop.server.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.plans.PlanSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plans editor's form: field rules named per field, blanks as unlimited, country always targeted. */
class PlanFormTest {

    private static PlanForm form(String id, String includedGb, String rps, String sticky, List<String> targeting) {
        return new PlanForm(id, "Web Plan", "", "", "", includedGb, rps, "", "", sticky, false, targeting, true);
    }

    @Test
    void aValidFormBecomesASpecWithBlanksAsUnlimitedAndCountryTargeting() {
        PlanForm f = form("web-1", "3", "", "600", List.of("city"));
        assertThat(f.errors(true)).isEmpty();
        PlanSpec s = f.spec(null, 40);
        assertThat(s.includedGb()).isEqualByComparingTo("3");
        assertThat(s.requestsPerSecond()).isNull();
        assertThat(s.targeting()).containsExactly("country", "city");
        assertThat(s.currency()).isEqualTo("USD");
        assertThat(s.sortOrder()).isEqualTo(40);
        assertThat(s.active()).isTrue();
    }

    @Test
    void eachBadFieldIsNamed() {
        PlanForm f = form("A b", "abc", "0", "", List.of("galaxy"));
        assertThat(f.errors(true)).containsOnlyKeys("id", "includedGb", "requestsPerSecond", "maxStickyLifetimeSeconds", "targeting");
        assertThat(f.errors(false)).doesNotContainKey("id");
        assertThat(form("ok", "-1", "", "60", List.of()).errors(true)).containsOnlyKeys("includedGb");
    }
}
