package io.iploop.server.web.internal;

import io.iploop.server.keys.ApiKey;
import io.iploop.server.keys.ApiKeysService;
import io.iploop.server.keys.CreatedApiKey;
import io.iploop.server.keys.KeysException;
import io.iploop.server.platform.AuthenticatedUser;
import jakarta.servlet.http.HttpServletResponse;
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
 * The API keys page (docs/product/proxy.md#api-keys, #key-rotation, docs/product/accounts.md#ip-whitelist): create (the key shown once, with a copy
 * button and the warning), list, enable/disable, delete with confirmation, per-key IP whitelist,
 * rotation with its grace period. Every action goes through {@link ApiKeysService}, scoped by the
 * signed-in account (another account's key is a 404). Actions redirect back with a {@code done}
 * message, except the two that show a new secret (create, rotate), which render it directly so it
 * never travels in a URL. Stateless; thread-safe.
 */
@Controller
final class KeysPagesController {

    /** Confirmation texts for {@code ?done=}; anything else shows nothing. */
    private static final Map<String, String> DONE = Map.of(
            "enabled", "Key enabled. It works again within 5 seconds.",
            "disabled", "Key disabled. The proxy refuses it within 5 seconds.",
            "deleted", "Key deleted. The proxy refuses it within 5 seconds; its usage history stays.",
            "whitelist", "IP whitelist saved.");

    private final ApiKeysService keys;

    KeysPagesController(ApiKeysService keys) {
        this.keys = keys;
    }

    @GetMapping("/api-keys")
    String page(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(required = false) @Nullable String done, Model model) {
        model.addAttribute("done", done == null ? null : DONE.get(done));
        return render(me, model);
    }

    @PostMapping("/api-keys")
    String create(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String name,
            @RequestParam(defaultValue = "0") int expiresInDays, HttpServletResponse response, Model model) {
        String n = name.strip();
        model.addAttribute("newName", n);
        if (n.isEmpty() || n.length() > 100) {
            model.addAttribute("nameError", n.isEmpty() ? "Give the key a name" : "The name must be at most 100 characters");
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            return render(me, model);
        }
        try {
            // docs/product/proxy.md#api-keys: a key may expire; the form offers never (0) or a number of days.
            @Nullable Instant expiresAt = expiresInDays > 0
                    ? Instant.now().plus(Duration.ofDays(Math.min(expiresInDays, 3650))) : null;
            model.addAttribute("created", keys.create(me.userId(), n, expiresAt));
            model.addAttribute("newName", "");
        } catch (KeysException e) {
            model.addAttribute("error", e.code().equals("key_limit_reached") ? "Maximum number of API keys reached ("
                    + ApiKeysService.MAX_KEYS_PER_USER + "). Delete one to create another." : e.getMessage());
            response.setStatus(e.status().value());
        }
        return render(me, model);
    }

    @PostMapping("/api-keys/{id}/active")
    String setActive(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id, @RequestParam boolean active) {
        keys.setActive(me.userId(), id, active);
        return "redirect:/api-keys?done=" + (active ? "enabled" : "disabled");
    }

    @PostMapping("/api-keys/{id}/delete")
    String delete(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id) {
        keys.delete(me.userId(), id);
        return "redirect:/api-keys?done=deleted";
    }

    @PostMapping("/api-keys/{id}/rotate")
    String rotate(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id, HttpServletResponse response, Model model) {
        try {
            CreatedApiKey successor = keys.rotate(me.userId(), id);
            model.addAttribute("created", successor);
            model.addAttribute("rotated", true);
        } catch (KeysException e) {
            if (e.status().value() == HttpServletResponse.SC_NOT_FOUND) {
                throw e;
            }
            model.addAttribute("error", e.getMessage());
            response.setStatus(e.status().value());
        }
        return render(me, model);
    }

    @PostMapping("/api-keys/{id}/whitelist")
    String whitelist(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id, @RequestParam(defaultValue = "") String ips,
            HttpServletResponse response, Model model) {
        List<String> entries = Arrays.stream(ips.split("[\\s,]+")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        try {
            keys.setWhitelist(me.userId(), id, entries);
            return "redirect:/api-keys?done=whitelist";
        } catch (KeysException e) {
            if (e.status().value() == HttpServletResponse.SC_NOT_FOUND) {
                throw e;
            }
            model.addAttribute("whitelistKey", id);
            model.addAttribute("whitelistText", ips);
            model.addAttribute("whitelistError", e.getMessage());
            response.setStatus(e.status().value());
            return render(me, model);
        }
    }

    private String render(AuthenticatedUser me, Model model) {
        List<ApiKey> list = keys.list(me.userId());
        model.addAttribute("keys", list);
        model.addAttribute("maxKeys", ApiKeysService.MAX_KEYS_PER_USER);
        model.addAttribute("activeCount", list.stream().filter(k -> k.replacedBy() == null).count());
        return "api-keys";
    }
}
