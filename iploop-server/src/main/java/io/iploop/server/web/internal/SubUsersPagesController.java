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
 * The sub-users page (docs/sub-users.md#dashboard): list with usage against the limit and every
 * setting, create (the password shown once, with the same one-time card as a new API key), edit
 * every setting but the name, enable/disable and delete with confirmation. Every action goes through {@link SubUsersService}, scoped by the signed-in
 * account (another account's sub-user is a 404). Actions redirect back with a {@code done} message,
 * except create, which renders the secret directly so it never travels in a URL. Stateless;
 * thread-safe.
 */
@Controller
final class SubUsersPagesController {

    private static final Map<String, String> DONE = Map.of(
            "enabled", "Sub-user enabled. It works again within 5 seconds.",
            "updated", "Sub-user saved. The proxy applies the new settings within 5 seconds.",
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
            @RequestParam(defaultValue = "") String rps, @RequestParam(defaultValue = "") String rpd,
            @RequestParam(defaultValue = "") String conns, HttpServletResponse response, Model model) {
        String n = name.strip();
        model.addAttribute("newName", n);
        try {
            Instant expiresAt = expiresInDays > 0 ? Instant.now().plus(Duration.ofDays(Math.min(expiresInDays, 3650))) : null;
            SubUserSpec spec = spec(limitGb, period, rps, rpd, conns, countries, noCity, ips, expiresAt);
            model.addAttribute("created", subUsers.create(me.userId(), n, spec));
            model.addAttribute("newName", "");
        } catch (SubUsersException | KeysException e) {
            model.addAttribute("error", e.getMessage());
            response.setStatus(e.status().value());
        }
        return render(me, model);
    }

    /**
     * Saves every setting of a sub-user from its edit form. {@code expiresInDays}: -1 keeps the
     * current expiry, 0 is never, else days from now. A refusal renders the page with the message
     * (naming the field) and the sub-user's form open; nothing is saved then.
     */
    @PostMapping("/sub-users/{id}")
    String update(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id,
            @RequestParam(defaultValue = "") String limitGb, @RequestParam(defaultValue = "month") String period,
            @RequestParam(defaultValue = "") String countries, @RequestParam(defaultValue = "false") boolean noCity,
            @RequestParam(defaultValue = "") String ips, @RequestParam(defaultValue = "-1") int expiresInDays,
            @RequestParam(defaultValue = "") String rps, @RequestParam(defaultValue = "") String rpd,
            @RequestParam(defaultValue = "") String conns, HttpServletResponse response, Model model) {
        SubUser current = subUsers.get(me.userId(), id);
        try {
            Instant expiresAt = expiresInDays < 0 ? current.expiresAt()
                    : expiresInDays == 0 ? null : Instant.now().plus(Duration.ofDays(Math.min(expiresInDays, 3650)));
            subUsers.update(me.userId(), id, spec(limitGb, period, rps, rpd, conns, countries, noCity, ips, expiresAt));
        } catch (SubUsersException | KeysException e) {
            model.addAttribute("error", current.name() + ": " + e.getMessage());
            model.addAttribute("editing", id);
            response.setStatus(e.status().value());
            model.addAttribute("newName", "");
            return render(me, model);
        }
        return "redirect:/sub-users?done=updated";
    }

    /** The settings of the create and edit forms; a field that is not a number is a 400 naming it. */
    private static SubUserSpec spec(String limitGb, String period, String rps, String rpd, String conns, String countries,
            boolean noCity, String ips, @Nullable Instant expiresAt) {
        Long limit = null;
        if (!limitGb.isBlank()) {
            try {
                limit = new BigDecimal(limitGb.strip()).multiply(BYTES_PER_GB).longValue();
            } catch (NumberFormatException e) {
                throw new SubUsersException(SubUsersException.Reason.INVALID,
                        "Traffic limit: '" + limitGb.strip() + "' is not a number of GB", "trafficLimitBytes");
            }
        }
        Long perSecond = number(rps, "requestsPerSecond", "Requests per second");
        Long perDay = number(rpd, "requestsPerDay", "Requests per day");
        Long connections = number(conns, "maxConcurrentConnections", "Concurrent connections");
        if (perSecond != null && perSecond > Integer.MAX_VALUE || connections != null && connections > Integer.MAX_VALUE) {
            String field = perSecond != null && perSecond > Integer.MAX_VALUE ? "requestsPerSecond" : "maxConcurrentConnections";
            throw new SubUsersException(SubUsersException.Reason.INVALID, field + ": too large", field);
        }
        return new SubUserSpec(limit, period, perSecond == null ? 0 : perSecond.intValue(), perDay == null ? 0 : perDay,
                split(countries), !noCity, split(ips), expiresAt, connections == null ? null : connections.intValue());
    }

    /** A whole number typed in a form field, null when empty. */
    private static @Nullable Long number(String text, String field, String label) {
        if (text.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new SubUsersException(SubUsersException.Reason.INVALID,
                    label + ": '" + text.strip() + "' is not a whole number (empty for the plan's limit)", field);
        }
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
        // The edit forms show the traffic limit in GB as typed (5, not 5.000000000).
        model.addAttribute("limitGb", list.stream().filter(s -> s.trafficLimitBytes() != null).collect(
                java.util.stream.Collectors.toMap(SubUser::id, s -> new BigDecimal(s.trafficLimitBytes())
                        .divide(BYTES_PER_GB).stripTrailingZeros().toPlainString())));
        model.addAttribute("maxSubUsers", SubUsersService.MAX_SUB_USERS);
        return "sub-users";
    }
}
