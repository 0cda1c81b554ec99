package io.iploop.server.web.internal;

import io.iploop.server.keys.KeysException;
import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.subusers.SubUser;
import io.iploop.server.subusers.SubUserSpec;
import io.iploop.server.subusers.SubUsersException;
import io.iploop.server.subusers.SubUsersService;
import jakarta.servlet.http.HttpServletResponse;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The sub-users page (docs/sub-users.md#dashboard): list with usage against the limit, create (the
 * password shown once, with the same one-time card as a new API key), enable/disable and delete
 * with confirmation. Every action goes through {@link SubUsersService}, scoped by the signed-in
 * account (another account's sub-user is a 404). Actions redirect back with a {@code done} message,
 * except create, which renders the secret directly so it never travels in a URL. Stateless;
 * thread-safe.
 */
@Controller
final class SubUsersPagesController {

    private static final Map<String, String> DONE = Map.of(
            "enabled", "Sub-user enabled. It works again within 5 seconds.",
            "disabled", "Sub-user disabled. The proxy refuses it within 5 seconds.",
            "deleted", "Sub-user deleted. The proxy refuses it within 5 seconds; its usage history stays.");

    /** 1 GB = 10^9 bytes (docs/product/plans.md#units): the form takes the limit in GB. */
    private static final BigDecimal BYTES_PER_GB = BigDecimal.TEN.pow(9);

    private final SubUsersService subUsers;

    SubUsersPagesController(SubUsersService subUsers) {
        this.subUsers = subUsers;
    }

    @GetMapping("/sub-users")
    String page(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(required = false) @Nullable String done, Model model) {
        model.addAttribute("done", done == null ? null : DONE.get(done));
        return render(me, model);
    }

    @PostMapping("/sub-users")
    String create(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String name,
            @RequestParam(defaultValue = "") String limitGb, @RequestParam(defaultValue = "month") String period,
            @RequestParam(defaultValue = "") String countries, @RequestParam(defaultValue = "false") boolean noCity,
            @RequestParam(defaultValue = "") String ips, @RequestParam(defaultValue = "0") int expiresInDays,
            HttpServletResponse response, Model model) {
        String n = name.strip();
        model.addAttribute("newName", n);
        try {
            Long limit = null;
            if (!limitGb.isBlank()) {
                try {
                    limit = new BigDecimal(limitGb.strip()).multiply(BYTES_PER_GB).longValue();
                } catch (NumberFormatException e) {
                    throw new SubUsersException(SubUsersException.Reason.INVALID,
                            "Traffic limit: '" + limitGb.strip() + "' is not a number of GB", "trafficLimitBytes");
                }
            }
            Instant expiresAt = expiresInDays > 0 ? Instant.now().plus(Duration.ofDays(Math.min(expiresInDays, 3650))) : null;
            SubUserSpec spec = new SubUserSpec(limit, period, 0, 0, split(countries), !noCity, split(ips), expiresAt);
            model.addAttribute("created", subUsers.create(me.userId(), n, spec));
            model.addAttribute("newName", "");
        } catch (SubUsersException | KeysException e) {
            model.addAttribute("error", e.getMessage());
            response.setStatus(e.status().value());
        }
        return render(me, model);
    }

    @PostMapping("/sub-users/{id}/enabled")
    String setEnabled(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id, @RequestParam boolean enabled) {
        subUsers.setEnabled(me.userId(), id, enabled);
        return "redirect:/sub-users?done=" + (enabled ? "enabled" : "disabled");
    }

    @PostMapping("/sub-users/{id}/delete")
    String delete(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id) {
        subUsers.delete(me.userId(), id);
        return "redirect:/sub-users?done=deleted";
    }

    private static List<String> split(String text) {
        return Arrays.stream(text.split("[\\s,]+")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private String render(AuthenticatedUser me, Model model) {
        List<SubUser> list = subUsers.list(me.userId());
        model.addAttribute("subUsers", list);
        model.addAttribute("maxSubUsers", SubUsersService.MAX_SUB_USERS);
        return "sub-users";
    }
}
