package io.iploop.gateway.spi;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The proxy username of a sub-user, {@code CUSTOMERID-sub-NAME} (docs/sub-users.md#credentials):
 * the parent account's public customer id, the literal {@code -sub-}, and the sub-user's name of 1
 * to 32 characters of {@code [a-z0-9_]}. Targeting parameters never go into the username; they
 * stay in the password after the secret, as for the account's own keys. Shared by the gateway and
 * its host so both split a username the same way. Stateless, thread-safe.
 */
public final class SubUserNames {

    /** What separates the customer id from the sub-user name in a proxy username. */
    public static final String SEPARATOR = "-sub-";
    /** A sub-user name: 1-32 of lower-case ASCII letters, digits and {@code _}. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,32}");

    /**
     * A split sub-user username.
     *
     * @param customerId the parent account's public customer id
     * @param name the sub-user's name, matching {@link #NAME}
     */
    public record Parsed(String customerId, String name) {}

    private SubUserNames() {}

    /**
     * Splits {@code username} at its last {@link #SEPARATOR}.
     *
     * @return null when it is not a sub-user's username (no separator, an empty customer id, or a
     *     name that does not match {@link #NAME})
     */
    public static @Nullable Parsed parse(String username) {
        int at = username.lastIndexOf(SEPARATOR);
        if (at <= 0) {
            return null;
        }
        String name = username.substring(at + SEPARATOR.length());
        return NAME.matcher(name).matches() ? new Parsed(username.substring(0, at), name) : null;
    }

    /** The username of sub-user {@code name} of {@code customerId}. */
    public static String username(String customerId, String name) {
        return customerId + SEPARATOR + name;
    }
}
