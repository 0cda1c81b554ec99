package io.iploop.server.testing;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * The mail inbox of the shared platform: a real SMTP server (GreenMail) on a dynamic loopback port
 * for the whole test JVM, like the cached context that sends to it. Started when this class is
 * first used; tests tell their mail apart by recipient (every helper makes a fresh address).
 * Thread-safe.
 */
public final class Mailbox {

    /** A real SMTP server for the whole test JVM; {@link SharedPlatform} points the platform at it. */
    public static final GreenMail SMTP = new GreenMail(ServerSetupTest.SMTP.dynamicPort());

    static {
        SMTP.start();
    }

    private Mailbox() {
    }

    /**
     * Waits up to 10 s for the {@code n}-th (1-based) message to {@code email} whose subject contains
     * {@code subject}, and returns its plain-text body.
     *
     * @throws org.awaitility.core.ConditionTimeoutException when it does not arrive in time
     */
    public static String awaitMail(String email, String subject, int n) {
        AtomicReference<String> body = new AtomicReference<>();
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            List<MimeMessage> matching = new ArrayList<>();
            for (MimeMessage m : SMTP.getReceivedMessagesForDomain(email)) {
                if (m.getSubject().contains(subject)) {
                    matching.add(m);
                }
            }
            if (matching.size() < n) {
                return false;
            }
            body.set(matching.get(n - 1).getContent().toString());
            return true;
        });
        return body.get();
    }

    /**
     * The {@code token} query parameter of the first link in a mailed body.
     *
     * @throws AssertionError when the body has no such link
     */
    public static String linkToken(String body) {
        Matcher m = Pattern.compile("\\?token=([0-9a-f]+)").matcher(body);
        if (!m.find()) {
            throw new AssertionError("no token link in: " + body);
        }
        return m.group(1);
    }
}
