package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.mail.OutgoingMail;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Component;

/**
 * The texts of the accounts feature's e-mails. Links point at the dashboard pages that read
 * {@code ?token=} ({@code /reset-password} and {@code /verify-email}, docs/product/dashboard.md#public-pages). Thread-safe.
 */
@Component
class AccountMails {

    private final String publicUrl;

    AccountMails(AccountsSettings settings) {
        this.publicUrl = settings.publicUrl();
    }

    OutgoingMail verification(Account account, String token) {
        return new OutgoingMail(account.email(), "Verify your IPLoop e-mail address", """
                Hello %s,

                please confirm your e-mail address by opening this link:

                %s

                The link is valid for 24 hours. If you did not create an IPLoop account, ignore this message.
                """.formatted(account.firstName(), link("/verify-email", token)));
    }

    OutgoingMail passwordReset(Account account, String token) {
        return new OutgoingMail(account.email(), "Reset your IPLoop password", """
                Hello %s,

                someone asked to reset the password of your IPLoop account. To choose a new one, open:

                %s

                The link is valid for 1 hour and works once. If it was not you, ignore this message;
                your password stays as it is.
                """.formatted(account.firstName(), link("/reset-password", token)));
    }

    /** An admin created the account: the link sets the first password (a reset token, 72 h). */
    OutgoingMail invitation(Account account, String token) {
        return new OutgoingMail(account.email(), "You have an IPLoop account", """
                Hello %s,

                an IPLoop administrator created an account for you (%s). To choose your password and
                sign in, open:

                %s

                The link is valid for 72 hours and works once. If you did not expect this, ignore it;
                nobody can sign in to the account until a password is chosen with this link.
                """.formatted(account.firstName(), account.email(), link("/reset-password", token)));
    }

    private String link(String page, String token) {
        return publicUrl + page + "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    }
}
