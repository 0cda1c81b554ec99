package io.iploop.server.platform.internal;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** {@code /} opens the dashboard (which sends an anonymous browser on to {@code /login}). */
@Controller
class RootController {

    @GetMapping("/")
    String root() {
        return "redirect:/dashboard";
    }
}
