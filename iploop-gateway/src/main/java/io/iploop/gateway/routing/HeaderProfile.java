package io.iploop.gateway.routing;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A browser header preset chosen with the proxy-password parameter {@code profile-NAME}
 * (docs/header-profiles.md), applied to plain-HTTP requests only: CONNECT and SOCKS5 carry
 * opaque bytes the gateway cannot change.
 *
 * <p>The presets are data, the maintained list {@value #RESOURCE} next to this class. The rule
 * ({@link #applyTo}): {@code User-Agent} is the identity the customer asked for, so the preset's
 * replaces the customer's (a tool's default such as {@code curl/8.5.0} would otherwise defeat the
 * profile); every other preset header only fills a header the request does not have, because the
 * customer's own {@code Accept} or {@code Accept-Language} says what their code can parse.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the parameter value, 1-64 lower-case letters, digits or {@code _}
 * @param headers the preset's headers in file order, names as written there
 */
public record HeaderProfile(String name, List<Map.Entry<String, String>> headers) {

    /** Class-path resource, relative to this class, holding the maintained presets. */
    public static final String RESOURCE = "header-profiles.txt";

    private static final Map<String, HeaderProfile> PRESETS = load();

    public HeaderProfile {
        headers = List.copyOf(headers);
    }

    /** The preset names in file order, e.g. {@code [chrome, firefox, safari, mobile]}. */
    public static Set<String> names() {
        return PRESETS.keySet();
    }

    /** The preset named {@code name} (lower case), or null if there is none. */
    public static @Nullable HeaderProfile named(String name) {
        return PRESETS.get(name);
    }

    /**
     * Applies the preset {@code name} to a request's headers; does nothing when {@code name} is
     * null (no profile asked for). Called on the event loop with the outgoing request's headers.
     *
     * @throws IllegalArgumentException if {@code name} is not a preset (the credential parser
     *     refuses such values with a 400 before a request gets here)
     */
    public static void apply(@Nullable String name, HttpHeaders headers) {
        if (name == null) {
            return;
        }
        HeaderProfile profile = named(name);
        if (profile == null) {
            throw new IllegalArgumentException("profile: '" + name + "' (expected one of " + names() + ")");
        }
        profile.applyTo(headers);
    }

    /** Sets {@code User-Agent}, and adds each other preset header the request does not have. */
    public void applyTo(HttpHeaders target) {
        for (Map.Entry<String, String> h : headers) {
            if (HttpHeaderNames.USER_AGENT.contentEqualsIgnoreCase(h.getKey())) {
                target.set(h.getKey(), h.getValue());
            } else if (!target.contains(h.getKey())) {
                target.add(h.getKey(), h.getValue());
            }
        }
    }

    private static Map<String, HeaderProfile> load() {
        try (InputStream in = HeaderProfile.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("class-path resource missing: " + RESOURCE);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses the preset list format described at the top of {@value #RESOURCE}.
     *
     * @return the presets by name, in file order, unmodifiable
     * @throws IllegalArgumentException naming the line for a malformed name, a header line
     *     outside a profile, a line without {@code :}, an invalid header name or value, a
     *     duplicate profile or header, or a profile without {@code User-Agent}
     */
    public static Map<String, HeaderProfile> parse(String text) {
        Map<String, HeaderProfile> out = new LinkedHashMap<>();
        String current = null;
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            int no = i + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[")) {
                if (current != null) {
                    put(out, current, headers);
                }
                if (!line.endsWith("]") || !isName(line.substring(1, line.length() - 1))) {
                    throw new IllegalArgumentException("line " + no + ": " + line
                            + " (expected [name], 1-64 lower-case letters, digits or _)");
                }
                current = line.substring(1, line.length() - 1);
                if (out.containsKey(current)) {
                    throw new IllegalArgumentException("line " + no + ": profile " + current + " given twice");
                }
                headers = new ArrayList<>();
                continue;
            }
            if (current == null) {
                throw new IllegalArgumentException("line " + no + ": header before the first [name]");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("line " + no + ": expected Header-Name: value");
            }
            String name = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (!isToken(name) || value.isEmpty() || !isFieldValue(value)) {
                throw new IllegalArgumentException("line " + no + ": invalid header name or value (RFC 9110 §5.1, §5.5)");
            }
            for (Map.Entry<String, String> h : headers) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    throw new IllegalArgumentException("line " + no + ": " + name + " given twice in " + current);
                }
            }
            headers.add(Map.entry(name, value));
        }
        if (current != null) {
            put(out, current, headers);
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    private static void put(Map<String, HeaderProfile> out, String name, List<Map.Entry<String, String>> headers) {
        boolean hasAgent = headers.stream().anyMatch(h -> h.getKey().equalsIgnoreCase("user-agent"));
        if (!hasAgent) {
            throw new IllegalArgumentException("profile " + name + ": no User-Agent");
        }
        out.put(name, new HeaderProfile(name, headers));
    }

    private static boolean isName(String s) {
        if (s.isEmpty() || s.length() > 64) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9110 §5.6.2 token. */
    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    /** Visible ASCII and spaces only (RFC 9110 §5.5, without obs-text). */
    private static boolean isFieldValue(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
