package io.iploop.server.web.internal;

import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.EmailVerificationService;
import io.iploop.server.mail.MailService;
import io.iploop.server.platform.AuthenticatedUser;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Mail as a self-hoster and a new customer meet it (docs/product/accounts.md#e-mail-verification):
 * a customer resends their verification link from any dashboard page (the notice in the layout),
 * and admins read the dev mailbox (the embedded default without SMTP) as a page. Thread-safe.
 */
@Controller
final class AccountMailPagesController {

    /** Messages the mailbox page shows, newest first. */
    static final int MAILBOX_SIZE = 50;

    private final EmailVerificationService verification;
    private final MailService mail;

    AccountMailPagesController(EmailVerificationService verification, MailService mail) {
        this.verification = verification;
        this.mail = mail;
    }

    /** Mails a new link and returns to the page the notice was on (only a local path is followed). */
    @PostMapping("/verification/resend")
    String resend(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "/dashboard") String back) {
        try {
            verification.resendVerification(me.userId());
        } catch (AccountsException alreadyVerified) {
            // Verified meanwhile (another tab): the notice is gone on the next page anyway.
        }
        String target = back.startsWith("/") && !back.startsWith("//") && back.indexOf('\\') < 0 ? back : "/dashboard";
        return "redirect:" + target + (target.contains("?") ? "&" : "?") + "verification=sent";
    }

    @GetMapping("/admin/mailbox")
    String mailbox(Model model) {
        model.addAttribute("messages", mail.devMailbox(MAILBOX_SIZE));
        return "admin/mailbox";
    }
}
