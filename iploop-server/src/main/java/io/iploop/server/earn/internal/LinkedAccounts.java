package io.iploop.server.earn.internal;

import io.iploop.server.earn.AccountLinkSignals;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The one definition of "linked accounts" (docs/earn-fraud.md): two distinct accounts are linked
 * when they signed up from the same public IP address within {@code iploop.earn.linked-signup-window}
 * (default 7 days) of each other, or when any {@link AccountLinkSignals} source (verified payment
 * methods; device fingerprints once one is recorded) has a value in common for both. Loopback,
 * private, link-local and unique-local addresses are never compared: they name a proxy or a LAN, not
 * a person. Traffic between linked accounts earns nothing, and a referral between them pays nothing.
 * Thread-safe.
 */
@Component
class LinkedAccounts {

    private final EarnRepository repo;
    /** Looked up per call: the sources (other features) may themselves depend on earn. */
    private final ObjectProvider<AccountLinkSignals> sources;
    private final Duration signupWindow;

    LinkedAccounts(EarnRepository repo, ObjectProvider<AccountLinkSignals> sources,
            @Value("${iploop.earn.linked-signup-window:7d}") Duration signupWindow) {
        this.repo = repo;
        this.sources = sources;
        this.signupWindow = signupWindow;
    }

    /** Records where {@code userId} signed up from; a non-public or absent address is stored as unknown. */
    void signedUp(UUID userId, @Nullable String clientIp) {
        repo.insertSignupSignal(userId, publicAddress(clientIp));
    }

    /**
     * Why {@code a} and {@code b} are linked ({@code signup-ip} or a source's {@link AccountLinkSignals#kind()}),
     * or empty when they are not. The same account is not "linked" to itself: callers check that first.
     */
    Optional<String> link(UUID a, UUID b) {
        if (a.equals(b)) {
            return Optional.empty();
        }
        Optional<EarnRepository.SignupSignal> sa = repo.signupSignal(a);
        Optional<EarnRepository.SignupSignal> sb = repo.signupSignal(b);
        if (sa.isPresent() && sb.isPresent() && sa.get().ip() != null && sa.get().ip().equals(sb.get().ip())
                && within(sa.get().at(), sb.get().at())) {
            return Optional.of("signup-ip");
        }
        for (AccountLinkSignals source : sources.orderedStream().toList()) {
            Set<String> va = source.values(a);
            if (va.isEmpty()) {
                continue;
            }
            Set<String> common = new HashSet<>(source.values(b));
            common.retainAll(va);
            if (!common.isEmpty()) {
                return Optional.of(source.kind());
            }
        }
        return Optional.empty();
    }

    private boolean within(Instant x, Instant y) {
        return Duration.between(x, y).abs().compareTo(signupWindow) <= 0;
    }

    /** The address in canonical form when it is a public unicast address, else null. */
    static @Nullable String publicAddress(@Nullable String ip) {
        if (ip == null || ip.isBlank()) {
            return null;
        }
        try {
            InetAddress a = InetAddress.ofLiteral(ip.strip());
            byte[] b = a.getAddress();
            boolean uniqueLocal = b.length == 16 && (b[0] & 0xfe) == 0xfc;
            if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                    || a.isMulticastAddress() || uniqueLocal) {
                return null;
            }
            return a.getHostAddress();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
