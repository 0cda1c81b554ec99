package io.iploop.server.webhooks.internal;

import io.iploop.server.platform.IploopProperties;
import io.iploop.server.webhooks.WebhooksException;
import io.iploop.tunnel.egress.EgressDeniedException;
import io.iploop.tunnel.egress.EgressPolicy;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Which webhook URLs are acceptable and reachable (docs/integrations/webhooks.md#endpoints): the
 * exits' {@link EgressPolicy} (docs/security.md#exits-the-data-plane) refuses loopback (unless
 * {@code IPLOOP_EGRESS_ALLOW_LOOPBACK}), private, link-local, reserved addresses, the SMTP ports and
 * the platform's own ports on this host. A URL is checked when it is registered and again before
 * every delivery, against every address its name resolves to then (DNS can change), so one
 * forbidden answer among several refuses the attempt. The JDK client then resolves the name once
 * more to connect; the JVM's address cache (30 s for positive answers) normally hands it the answer
 * just checked, but a cache entry expiring between the two lookups leaves a narrow window for DNS
 * rebinding that pinning the checked address (which the JDK client cannot do for https) would close.
 * Thread-safe.
 */
@Component
class WebhookDestinations {

    static final int MAX_URL_LENGTH = 2000;

    private final EgressPolicy policy;
    private final boolean allowHttp;

    @Autowired
    WebhookDestinations(IploopProperties properties, WebhooksSettings settings, Environment env) {
        this(EgressPolicy.standard(properties.egressAllowLoopback()).withProtectedLocalPorts(List.of(
                properties.proxyPort(), properties.socksPort(), properties.nodeHubPort(),
                env.getProperty("server.port", Integer.class, 8080))), settings.allowHttp());
    }

    WebhookDestinations(EgressPolicy policy, boolean allowHttp) {
        this.policy = policy;
        this.allowHttp = allowHttp;
    }

    /**
     * The parsed URL if it may be registered.
     *
     * @throws WebhooksException {@code INVALID_URL} (field {@code url}) naming what is wrong
     */
    URI validate(String url) {
        if (url.isBlank() || url.length() > MAX_URL_LENGTH) {
            throw invalid("url must be an absolute https URL of 1-" + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw invalid("url is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
            throw invalid(allowHttp ? "url must start with https:// or http://" : "url must start with https://");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            throw invalid("url must name a host, without user info or fragment");
        }
        String denial = denial(uri);
        if (denial != null) {
            throw invalid("url is not allowed: " + denial);
        }
        return uri;
    }

    /**
     * Before a delivery: null if every address {@code uri}'s host resolves to now is allowed, else why
     * not (also for a name that does not resolve).
     */
    @Nullable String denial(URI uri) {
        String host = hostOf(uri);
        int port = portOf(uri);
        String portDenial = policy.checkPort(port);
        if (portDenial != null) {
            return portDenial;
        }
        try {
            policy.resolve(host, port); // domain and port rules, and at least one allowed address
            for (InetAddress address : InetAddress.getAllByName(host)) {
                String denial = policy.checkAddress(address);
                if (denial == null) {
                    denial = policy.checkLocalPort(address, port);
                }
                if (denial != null) {
                    return host + " resolves to a forbidden address: " + denial;
                }
            }
            return null;
        } catch (EgressDeniedException e) {
            return e.getMessage();
        } catch (UnknownHostException e) {
            return "host " + host + " does not resolve";
        }
    }

    static String hostOf(URI uri) {
        String host = uri.getHost();
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    static int portOf(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
    }

    private static WebhooksException invalid(String message) {
        return new WebhooksException(WebhooksException.Reason.INVALID_URL, message, "url");
    }
}
