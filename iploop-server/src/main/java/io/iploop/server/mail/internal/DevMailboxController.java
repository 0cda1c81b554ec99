package io.iploop.server.mail.internal;

import io.iploop.server.mail.DevMail;
import io.iploop.server.mail.MailService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/admin/dev-mailbox}: mail delivered locally when no SMTP server is configured; admins only. */
@RestController
@Tag(name = "admin", description = "Administration")
class DevMailboxController {

    private final MailService mail;

    DevMailboxController(MailService mail) {
        this.mail = mail;
    }

    @GetMapping("/api/admin/dev-mailbox")
    @Operation(summary = "Newest messages of the dev mailbox (embedded default without SMTP)")
    List<DevMail> devMailbox(@RequestParam(defaultValue = "50") int limit) {
        return mail.devMailbox(limit);
    }
}
