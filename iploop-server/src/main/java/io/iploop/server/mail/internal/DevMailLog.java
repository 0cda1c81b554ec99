package io.iploop.server.mail.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the dev mailbox writes to the server log of a message: its links. Stateless; thread-safe. */
final class DevMailLog {

    /** An http(s) link up to the next whitespace; linear (no nested quantifiers). */
    private static final Pattern LINK = Pattern.compile("https?://\\S+");
    /** Links listed per message; a mail never carries more than a few. */
    private static final int MAX_LINKS = 10;

    private DevMailLog() {
    }

    /** The body's links as {@code "; links: a b"}, or {@code ""} when it has none. */
    static String links(String body) {
        List<String> links = new ArrayList<>();
        Matcher m = LINK.matcher(body);
        while (m.find() && links.size() < MAX_LINKS) {
            links.add(m.group());
        }
        return links.isEmpty() ? "" : "; links: " + String.join(" ", links);
    }
}
