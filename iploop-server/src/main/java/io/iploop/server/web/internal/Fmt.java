package io.iploop.server.web.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Formatting helpers the templates call as {@code ${@fmt.bytes(n)}}: presentation only, no rules.
 * Public only because SpEL invokes public methods of public classes. Times are shown in UTC (the analytics buckets are UTC days and hours). Stateless; thread-safe.
 */
@Component("fmt")
public final class Fmt {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("d MMM yyyy", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATE_TIME =
            DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm 'UTC'", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final String[] UNITS = {"B", "KB", "MB", "GB", "TB", "PB"};
    /** One GB: 10^9 bytes, for customers and operators alike (docs/product/README.md#units). */
    private static final long GB = 1_000_000_000L;

    /** Bytes in decimal units (1 KB = 1000 B, as billed): {@code 1.23 MB}; {@code 0 B} for zero. */
    public String bytes(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        double v = bytes;
        int unit = 0;
        while (v >= 1000 && unit < UNITS.length - 1) {
            v /= 1000;
            unit++;
        }
        return String.format(Locale.ENGLISH, v >= 100 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s", v, UNITS[unit]);
    }

    /** A count with thousands separators: {@code 12,345}. */
    public String count(long n) {
        return String.format(Locale.ENGLISH, "%,d", n);
    }

    /** A decimal with at most {@code scale} places, trailing zeros dropped ({@code 0.5}, {@code 12.25}). */
    public String decimal(@Nullable BigDecimal n, int scale) {
        if (n == null) {
            return "—";
        }
        return n.setScale(scale, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    /** {@code used / (used + balance)} in percent, 0-100, 0 when both are zero. */
    public int percentUsed(BigDecimal used, BigDecimal balance) {
        BigDecimal total = used.add(balance);
        if (total.signum() <= 0) {
            return 0;
        }
        return used.multiply(BigDecimal.valueOf(100)).divide(total, 0, RoundingMode.HALF_UP).min(BigDecimal.valueOf(100)).intValue();
    }

    /** {@code 5 Nov 2026}, or {@code Never} for null. */
    public String date(@Nullable Instant t) {
        return t == null ? "Never" : DATE.format(t);
    }

    /** {@code 5 Nov 2026, 14:03 UTC}, or {@code Never} for null. */
    public String dateTime(@Nullable Instant t) {
        return t == null ? "Never" : DATE_TIME.format(t);
    }

    /** ISO-8601 for {@code <time datetime>}, empty for null. */
    public String iso(@Nullable Instant t) {
        return t == null ? "" : t.toString();
    }

    /** Relative to now: {@code just now}, {@code 2m ago}, {@code 3h ago} (hours up to 48), {@code 4d ago}, {@code in 5h}; {@code Never} for null. */
    public String ago(@Nullable Instant t) {
        if (t == null) {
            return "Never";
        }
        Duration d = Duration.between(t, Instant.now());
        boolean future = d.isNegative();
        long s = Math.abs(d.toSeconds());
        String span = s < 45 ? null : s < 3600 ? Math.max(1, s / 60) + "m" : s < 172_800 ? s / 3600 + "h" : s / 86_400 + "d";
        if (span == null) {
            return future ? "in a moment" : "just now";
        }
        return future ? "in " + span : span + " ago";
    }

    /** The items one per line (for a textarea). */
    public String lines(java.util.List<String> items) {
        return String.join("\n", items);
    }

    /** The flag emoji of an ISO alpha-2 country code, empty for anything else. */
    public String flag(@Nullable String country) {
        if (country == null || !country.matches("[A-Za-z]{2}")) {
            return "";
        }
        String c = country.toUpperCase(Locale.ROOT);
        return new String(Character.toChars(0x1F1E6 + c.charAt(0) - 'A')) + new String(Character.toChars(0x1F1E6 + c.charAt(1) - 'A'));
    }

    /** English name of an ISO alpha-2 country code, {@code Unknown} for null or {@code ??}. */
    public String countryName(@Nullable String country) {
        if (country == null || !country.matches("[A-Za-z]{2}")) {
            return "Unknown";
        }
        String name = Locale.of("", country.toUpperCase(Locale.ROOT)).getDisplayCountry(Locale.ENGLISH);
        return name.isBlank() ? country.toUpperCase(Locale.ROOT) : name;
    }
    /** USD with a dollar sign: 2 decimals, 3 when the value has a tenth of a cent (1 credit = USD 0.001): {@code $12.47}, {@code $0.083}. */
    public String usd(@Nullable BigDecimal n) {
        if (n == null) {
            return "—";
        }
        BigDecimal cents = n.setScale(2, RoundingMode.DOWN);
        BigDecimal v = cents.compareTo(n) == 0 ? cents : n.setScale(3, RoundingMode.HALF_UP);
        return (v.signum() < 0 ? "-$" : "$") + String.format(Locale.ENGLISH, "%,." + v.scale() + "f", v.abs());
    }

    /** EUR rounded down to whole cents, as the campaigns page shows it: {@code €1,234.50} (docs/affiliates.md#rounding). */
    public String eur(@Nullable BigDecimal n) {
        if (n == null) {
            return "—";
        }
        BigDecimal v = n.setScale(2, RoundingMode.DOWN);
        return (v.signum() < 0 ? "-€" : "€") + String.format(Locale.ENGLISH, "%,.2f", v.abs());
    }

    /** USD rounded down to whole cents without a sign, for an amount field's "max": {@code 12.47}. */
    public String cents(BigDecimal n) {
        return n.setScale(2, RoundingMode.DOWN).toPlainString();
    }

    /** Earn credits as USD (1 credit = USD 0.001, docs/product/earn.md#credits). */
    public String creditsUsd(long credits) {
        return usd(BigDecimal.valueOf(credits, 3));
    }

    /**
     * Bytes in GB of 10^9 bytes (docs/product/README.md#units), 2 decimals: {@code 2.10 GB}; amounts
     * below 0.01 GB in MB (10^6 bytes), 1 decimal: {@code 52.4 MB}.
     */
    public String gb(long bytes) {
        if (bytes < GB / 100) {
            return String.format(Locale.ENGLISH, "%.1f MB", bytes / 1e6);
        }
        return String.format(Locale.ENGLISH, "%,.2f GB", bytes / 1e9);
    }

    /** Bytes as GB (10^9 bytes) with up to 6 decimals, rounded down as the tier progress is: {@code 0.052428}. */
    public String gbExact(long bytes) {
        return BigDecimal.valueOf(bytes).divide(BigDecimal.valueOf(GB), 6, RoundingMode.DOWN).stripTrailingZeros().toPlainString();
    }

    /** A fraction of a credit, 0 to below 1, with up to 3 decimals rounded down: {@code 0.437}; {@code 0} for none. */
    public String fraction(BigDecimal credits) {
        return credits.setScale(3, RoundingMode.DOWN).stripTrailingZeros().toPlainString();
    }

    /** A duration in seconds as {@code 2d 3h}, {@code 3h 12m}, {@code 4m}; {@code —} for 0. */
    public String duration(long seconds) {
        if (seconds <= 0) {
            return "—";
        }
        long d = seconds / 86_400;
        long h = seconds % 86_400 / 3600;
        long m = seconds % 3600 / 60;
        return d > 0 ? d + "d " + h + "h" : h > 0 ? h + "h " + m + "m" : Math.max(1, m) + "m";
    }

    /**
     * An IP address with its host part hidden (docs/product/earn.md#earn-dashboard): IPv4 keeps the first
     * two octets ({@code 192.168.xxx.xxx}), IPv6 the first two groups; {@code —} for null.
     */
    public String maskIp(@Nullable String ip) {
        if (ip == null || ip.isBlank()) {
            return "—";
        }
        if (ip.contains(":")) {
            String[] g = ip.split(":");
            return g.length >= 2 ? g[0] + ":" + g[1] + ":xxxx:…" : "xxxx:…";
        }
        String[] o = ip.split("\\.");
        return o.length == 4 ? o[0] + "." + o[1] + ".xxx.xxx" : "xxx.xxx.xxx.xxx";
    }

    /** A payout method's display name (docs/product/cashouts.md#methods): {@code paypal} → {@code PayPal}, {@code usdt} → {@code USDT (TRC-20)}. */
    public String method(@Nullable String dbValue) {
        return switch (dbValue == null ? "" : dbValue) {
            case "paypal" -> "PayPal";
            case "usdt" -> "USDT (TRC-20)";
            case "bitcoin" -> "Bitcoin";
            case "bank_transfer" -> "Bank transfer";
            case "amazon_gift_card" -> "Amazon gift card";
            case "revolut" -> "Revolut";
            default -> label(dbValue);
        };
    }

    /** A word with its first letter upper-case and underscores as spaces: {@code bank_transfer} → {@code Bank transfer}. */
    public String label(@Nullable String s) {
        if (s == null || s.isEmpty()) {
            return "—";
        }
        String t = s.replace('_', ' ').replace('-', ' ');
        return Character.toUpperCase(t.charAt(0)) + t.substring(1);
    }

    /** A node quality score 0-100 as {@code 96.5 / 100} (no decimal when whole): one form on every page. */
    public String quality(double score) {
        BigDecimal v = BigDecimal.valueOf(score).setScale(1, RoundingMode.HALF_UP).stripTrailingZeros();
        return v.toPlainString() + " / 100";
    }

    /**
     * When a lock ends, for a person: {@code in 15 minutes (at 22:45 UTC)}, minutes rounded up
     * ({@code in 1 minute} under a minute). The page's script rewrites it in the browser's time zone.
     */
    public String retryIn(Instant until) {
        long minutes = Math.max(1, (Duration.between(Instant.now(), until).toSeconds() + 59) / 60);
        String in = minutes < 60 ? minutes + (minutes == 1 ? " minute" : " minutes")
                : (minutes + 59) / 60 + ((minutes + 59) / 60 == 1 ? " hour" : " hours");
        return "in " + in + " (at " + TIME.format(until) + " UTC)";
    }

    /** Integer US cents as {@link #usd}: {@code 2500} is {@code $25.00} (invoice and finance amounts). */
    public String usdCents(long cents) {
        return usd(BigDecimal.valueOf(cents, 2));
    }
}
