package io.iploop.server.web.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.platform.AuthenticatedUser;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The guided first sign-in (docs/product/accounts.md#first-admin-sign-in): why the dashboard sends an
 * account with a one-time password here, and the steps in order with their state: change the
 * password, set up 2FA (admins), sign in again with a code (admins). Every page but this one, the
 * password and 2FA settings and signing out redirects here while the password change is pending.
 * Thread-safe.
 */
@Controller
final class FirstSignInPagesController {

    private final AccountsService accounts;

    FirstSignInPagesController(AccountsService accounts) {
        this.accounts = accounts;
    }

    @GetMapping("/first-sign-in")
    String firstSignIn(@AuthenticationPrincipal AuthenticatedUser me, Model model) {
        Account account = accounts.find(me.userId()).orElseThrow();
        boolean admin = me.isAdmin();
        boolean passwordDone = !account.mustChangePassword();
        boolean twoFactorDone = account.twoFactorEnabled();
        boolean codeSessionDone = me.twoFactor();
        model.addAttribute("admin", admin);
        model.addAttribute("passwordDone", passwordDone);
        model.addAttribute("twoFactorDone", twoFactorDone);
        model.addAttribute("codeSessionDone", codeSessionDone);
        model.addAttribute("allDone", passwordDone && (!admin || (twoFactorDone && codeSessionDone)));
        return "first-sign-in";
    }
}
