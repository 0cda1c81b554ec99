package io.iploop.server.platform.internal;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** {@code /} leads to the API documentation until the dashboard exists. */
@Controller
class RootController {

    @GetMapping("/")
    String root() {
        return "redirect:/swagger-ui/index.html";
    }
}
