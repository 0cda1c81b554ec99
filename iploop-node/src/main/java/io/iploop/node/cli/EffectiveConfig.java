package io.iploop.node.cli;

import io.iploop.node.ActiveHours;
import io.iploop.node.AgentConfig;
import io.iploop.tunnel.PortPolicy;
import io.iploop.tunnel.TunnelSettings;
import java.net.URI;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The settings the agent runs with: {@code config.properties} overlaid by the environment
 * ({@code PROXYCLAW_GATEWAY}, {@code PROXYCLAW_KEY}, {@code PROXYCLAW_DEVICE_NAME}, …), so a
 * container can be configured without a config file. Environment values are validated like
 * {@code config set} values; errors name the variable. Immutable.
 */
final class EffectiveConfig {

    /** The gateway used when none is configured: the one {@code ./iploop server} starts locally. */
    static final String DEFAULT_GATEWAY = "ws://127.0.0.1:8001/ws";
    /** The control plane of the local {@code ./iploop server}, used only with the default gateway. */
    static final String DEFAULT_API_URL = "http://127.0.0.1:8080";

    /** How long open streams may keep running after a stop is requested, by default, in seconds. */
    static final int DEFAULT_DRAIN_SECONDS = 20;
    /** The ports a node opens unless its operator widens them, as large providers do: web only. */
    static final String DEFAULT_ALLOWED_PORTS = "80,443";

    static final String ENV_KEY = "PROXYCLAW_KEY";
    /** The product's Docker examples call it this; accepted as an alias of {@link #ENV_KEY}. */
    static final String ENV_KEY_ALIAS = "PROXYCLAW_API_KEY";
    static final String ENV_DEVICE_ID = "PROXYCLAW_DEVICE_ID";
    /** Test switch: lets streams reach loopback targets. Never set in production. */
    static final String ENV_ALLOW_LOOPBACK = "PROXYCLAW_ALLOW_LOOPBACK";

    static final Pattern NODE_KEY = Pattern.compile("ipn_[0-9a-fA-F]{48}");
    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final Map<Setting, String> values = new EnumMap<>(Setting.class);
    private final Map<Setting, String> sources = new EnumMap<>(Setting.class);
    private final @Nullable String key;
    private final String keySource;
    private final ConfigDir dir;
    private final @Nullable String envDeviceId;
    private final boolean allowLoopback;

    /**
     * @throws CliException (usage) naming the setting or variable whose value is invalid
     */
    EffectiveConfig(ConfigDir dir, Map<String, String> env) {
        this.dir = dir;
        Map<String, String> stored = dir.readConfig();
        for (Setting s : Setting.values()) {
            String fromEnv = env.get(s.envVar());
            String fromFile = stored.get(s.settingName());
            if (fromEnv != null && !fromEnv.isBlank()) {
                values.put(s, validate(s, s.envVar(), fromEnv));
                sources.put(s, "env " + s.envVar());
            } else if (fromFile != null && !fromFile.isBlank()) {
                values.put(s, validate(s, s.settingName() + " in " + dir.file(ConfigDir.CONFIG_FILE), fromFile));
                sources.put(s, "config");
            }
        }
        String envKeyName = isSet(env.get(ENV_KEY)) ? ENV_KEY : isSet(env.get(ENV_KEY_ALIAS)) ? ENV_KEY_ALIAS : null;
        String envKey = envKeyName == null ? null : env.get(envKeyName);
        if (envKeyName != null && envKey != null) {
            this.key = checkKey(envKeyName, envKey);
            this.keySource = "env " + envKeyName;
        } else {
            String storedKey = stored.get(ConfigDir.KEY_PROPERTY);
            this.key = storedKey == null || storedKey.isBlank() ? null : storedKey.strip();
            this.keySource = "config";
        }
        String deviceId = env.get(ENV_DEVICE_ID);
        if (deviceId != null && !deviceId.isBlank() && !DEVICE_ID.matcher(deviceId.strip()).matches()) {
            throw CliException.usage(ENV_DEVICE_ID + ": '" + deviceId + "' (expected: 1-128 chars of [A-Za-z0-9._:-])");
        }
        this.envDeviceId = deviceId == null || deviceId.isBlank() ? null : deviceId.strip();
        this.allowLoopback = parseBoolean(ENV_ALLOW_LOOPBACK, env.get(ENV_ALLOW_LOOPBACK));
    }

    /**
     * Checks the shape of a node key.
     *
     * @throws CliException (usage) naming {@code source}
     */
    static String checkKey(String source, String key) {
        String k = key.strip();
        if (!NODE_KEY.matcher(k).matches()) {
            throw CliException.usage(source + ": not a node key (expected: ipn_ followed by 48 hex digits, "
                    + "as shown in the ProxyClaw dashboard)");
        }
        return k;
    }

    /** {@code ipn_1a2b…9f0e}: enough to recognize a key, not enough to use it. */
    static String mask(String key) {
        return key.length() <= 12 ? "****" : key.substring(0, 8) + "…" + key.substring(key.length() - 4);
    }

    @Nullable String get(Setting s) {
        return values.get(s);
    }

    /** {@code config} or {@code env PROXYCLAW_…}; null if unset. */
    @Nullable String source(Setting s) {
        return sources.get(s);
    }

    @Nullable String key() {
        return key;
    }

    String keySource() {
        return keySource;
    }

    String gateway() {
        String g = values.get(Setting.GATEWAY);
        return g == null ? DEFAULT_GATEWAY : g;
    }

    /**
     * Where the device registers on start: the configured {@code api-url}, else the local control
     * plane when the gateway is the local default, else null (not registered).
     */
    @Nullable String apiUrl() {
        String a = values.get(Setting.API_URL);
        if (a != null) {
            return a;
        }
        return DEFAULT_GATEWAY.equals(gateway()) ? DEFAULT_API_URL : null;
    }

    /** The configured bandwidth cap in Mbit/s, or null for none (docs/node-agent.md#bandwidth-limit). */
    @Nullable Integer bandwidthLimitMbps() {
        String v = values.get(Setting.BANDWIDTH_LIMIT_MBPS);
        return v == null ? null : Integer.valueOf(v);
    }

    /**
     * The destination ports the agent opens ({@code allowed-ports}; docs/node-agent.md#allowed-ports):
     * {@value #DEFAULT_ALLOWED_PORTS} unless configured.
     */
    PortPolicy allowedPorts() {
        String v = values.get(Setting.ALLOWED_PORTS);
        return PortPolicy.parse(v == null ? DEFAULT_ALLOWED_PORTS : v);
    }

    /** When the agent shares ({@code active-hours}); always unless configured. */
    ActiveHours activeHours() {
        String v = values.get(Setting.ACTIVE_HOURS);
        return v == null ? ActiveHours.ALWAYS : ActiveHours.parse(v);
    }

    /** The monthly data cap in GB ({@code monthly-data-cap-gb}), or null for none. */
    @Nullable Integer monthlyDataCapGb() {
        String v = values.get(Setting.MONTHLY_DATA_CAP_GB);
        return v == null ? null : Integer.valueOf(v);
    }

    /**
     * Where {@code /metrics} listens ({@code metrics}, docs/node-agent.md#status-and-metrics), or
     * null when off (the default).
     */
    java.net.@Nullable InetSocketAddress metricsAddress() {
        String v = values.get(Setting.METRICS);
        if (v == null || v.equals("off")) {
            return null;
        }
        int colon = v.lastIndexOf(':');
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new java.net.InetSocketAddress(host, Integer.parseInt(v.substring(colon + 1)));
    }

    /** How long open streams may keep running after a stop is requested ({@code drain-timeout}). */
    java.time.Duration drainTimeout() {
        String v = values.get(Setting.DRAIN_TIMEOUT);
        return java.time.Duration.ofSeconds(v == null ? DEFAULT_DRAIN_SECONDS : Integer.parseInt(v));
    }

    boolean allowLoopback() {
        return allowLoopback;
    }

    /**
     * The agent configuration; creates the persistent device id on first use.
     *
     * @throws CliException (runtime) if no node key is configured
     */
    AgentConfig toAgentConfig() {
        if (key == null) {
            throw CliException.runtime("not logged in: run 'proxyclaw login' or set " + ENV_KEY);
        }
        String asn = values.get(Setting.ASN);
        String ca = values.get(Setting.GATEWAY_CA);
        return new AgentConfig(
                URI.create(gateway()),
                key,
                envDeviceId != null ? envDeviceId : dir.deviceId(),
                values.get(Setting.DEVICE_NAME),
                values.get(Setting.COUNTRY),
                values.get(Setting.REGION),
                values.get(Setting.CITY),
                asn == null ? 0 : Integer.parseInt(asn),
                values.get(Setting.ISP),
                values.get(Setting.CONNECTION_TYPE),
                false,
                allowLoopback,
                Setting.list(values.get(Setting.BLOCKED_DOMAINS)),
                Setting.list(values.get(Setting.BLOCKED_CIDRS)),
                TunnelSettings.DEFAULTS,
                apiUrl() == null ? null : URI.create(apiUrl()),
                null,
                ca == null ? null : Path.of(ca));
    }

    private static String validate(Setting s, String source, String raw) {
        try {
            return s.normalize(source, raw);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    private static boolean parseBoolean(String name, @Nullable String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes" -> true;
            case "0", "false", "no" -> false;
            default -> throw CliException.usage(name + ": '" + value + "' (expected: true or false)");
        };
    }

    private static boolean isSet(@Nullable String value) {
        return value != null && !value.isBlank();
    }
}
