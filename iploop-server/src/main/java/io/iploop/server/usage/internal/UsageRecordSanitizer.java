package io.iploop.server.usage.internal;

import io.iploop.gateway.spi.UsageRecord;
import org.jspecify.annotations.Nullable;

/**
 * Makes every text field of a {@link UsageRecord} storable before it reaches PostgreSQL: the
 * customer controls the target host (a SOCKS5 domain name is any 255 bytes) and partly the session
 * id, and one NUL byte makes PostgreSQL refuse the whole batch ({@code docs/security.md}). Control
 * characters (C0, DEL, C1) and unpaired surrogates become {@value #REPLACEMENT}; each field is cut
 * to its column's length; a target port outside 1-65535 becomes null; a country that is not two ASCII letters becomes null (the column is {@code char(2)}). Numbers, ids and
 * times are left alone (a record the database still refuses is dead-lettered by
 * {@link JdbcUsageSink}). Stateless; thread-safe.
 */
final class UsageRecordSanitizer {

    /** What a control character or an unpaired surrogate is replaced with. */
    static final char REPLACEMENT = '?';
    /** Column lengths of {@code usage_records} (characters). */
    static final int MAX_SESSION_ID = 255;
    static final int MAX_CITY = 100;
    static final int MAX_HOST = 255;
    static final int MAX_PROXY_TYPE = 10;
    static final int MAX_ERROR = 500;

    private UsageRecordSanitizer() {
    }

    /** The record with every text field cleaned and bounded; the same instance if nothing changed. */
    static UsageRecord sanitize(UsageRecord r) {
        String session = clean(r.sessionId(), MAX_SESSION_ID);
        String city = clean(r.targetCity(), MAX_CITY);
        String host = clean(r.targetHost(), MAX_HOST);
        String proxyType = clean(r.proxyType(), MAX_PROXY_TYPE);
        String error = clean(r.errorMessage(), MAX_ERROR);
        String country = country(r.targetCountry());
        Integer port = r.targetPort() != null && r.targetPort() >= 1 && r.targetPort() <= 65535 ? r.targetPort() : null;
        if (port == r.targetPort() && same(session, r.sessionId()) && same(city, r.targetCity()) && same(host, r.targetHost())
                && same(proxyType, r.proxyType()) && same(error, r.errorMessage())
                && same(country, r.targetCountry())) {
            return r;
        }
        return new UsageRecord(r.id(), r.userId(), r.apiKeyId(), r.nodeId(), session, r.bytesDownloaded(),
                r.bytesUploaded(), r.requestCount(), country, city, host == null ? "" : host,
                proxyType == null ? "" : proxyType, r.success(), error, r.startedAt(), r.endedAt(), r.httpStatus(),
                port, r.subUserId(), r.poolPort());
    }

    /**
     * {@code s} without control characters or unpaired surrogates (each replaced by
     * {@value #REPLACEMENT}), cut to at most {@code max} chars without splitting a surrogate pair;
     * null stays null.
     */
    static @Nullable String clean(@Nullable String s, int max) {
        if (s == null) {
            return null;
        }
        int end = Math.min(s.length(), max);
        if (end < s.length() && end > 0 && Character.isHighSurrogate(s.charAt(end - 1))
                && Character.isLowSurrogate(s.charAt(end))) {
            end--;
        }
        StringBuilder out = null;
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            boolean bad;
            if (Character.isHighSurrogate(c)) {
                bad = i + 1 >= end || !Character.isLowSurrogate(s.charAt(i + 1));
                if (!bad) {
                    if (out != null) {
                        out.append(c).append(s.charAt(i + 1));
                    }
                    i++;
                    continue;
                }
            } else {
                bad = Character.isLowSurrogate(c) || Character.isISOControl(c);
            }
            if (bad && out == null) {
                out = new StringBuilder(end).append(s, 0, i);
            }
            if (out != null) {
                out.append(bad ? REPLACEMENT : c);
            }
        }
        if (out != null) {
            return out.toString();
        }
        return end == s.length() ? s : s.substring(0, end);
    }

    private static @Nullable String country(@Nullable String c) {
        if (c == null) {
            return null;
        }
        return c.length() == 2 && isAsciiLetter(c.charAt(0)) && isAsciiLetter(c.charAt(1)) ? c : null;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    /** Identity on purpose: {@link #clean} returns its argument when nothing changed. */
    private static boolean same(@Nullable String a, @Nullable String b) {
        return a == b;
    }
}
