package io.iploop.server.plans.internal;

import io.iploop.server.plans.Plan;
import io.iploop.server.plans.PlansService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/plans}: the public plan catalogue (docs/product/plans.md#catalogue). */
@RestController
@Tag(name = "plans", description = "Plan catalogue")
class PlansController {

    private final PlansService plans;

    PlansController(PlansService plans) {
        this.plans = plans;
    }

    @GetMapping("/api/plans")
    @Operation(summary = "Active plans with prices (money as amount plus currency)")
    PlansResponse plans() {
        return new PlansResponse(plans.catalogue());
    }

    record PlansResponse(List<Plan> plans) {}
}
