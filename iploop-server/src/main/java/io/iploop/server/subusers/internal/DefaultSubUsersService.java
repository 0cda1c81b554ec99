package io.iploop.server.subusers.internal;

import io.iploop.gateway.spi.SubUserNames;
import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.keys.IpWhitelists;
import io.iploop.server.plans.Plan;
import io.iploop.server.plans.PlansService;
import io.iploop.server.platform.SecureTokens;
import io.iploop.server.subusers.CreatedSubUser;
import io.iploop.server.subusers.SubUser;
import io.iploop.server.subusers.SubUserSpec;
import io.iploop.server.subusers.SubUsersException;
import io.iploop.server.subusers.SubUsersService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The {@link SubUsersService}: validation (docs/sub-users.md#limits: request limits never above the
 * plan's), the secret (24 SecureRandom bytes as {@code iploop_} + 48 hex, the shape of an API key
 * so the gateway parses it the same way, stored as SHA-256 only) and the per-account cap.
 * Thread-safe.
 */
@Service
class DefaultSubUsersService implements SubUsersService {

    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());
    private static final int MAX_COUNTRIES = 250;

    private final SubUserRepository repository;
    private final AccountsService accounts;
    private final PlansService plans;
    private final Clock clock;

    DefaultSubUsersService(SubUserRepository repository, AccountsService accounts, PlansService plans, Clock clock) {
        this.repository = repository;
        this.accounts = accounts;
        this.plans = plans;
        this.clock = clock;
    }

    @Override
    @Transactional(readOnly = true)
    public List<SubUser> list(UUID userId) {
        return repository.list(userId).stream().map(DefaultSubUsersService::view).toList();
    }

    @Override
    @Transactional(readOnly = true)
    public SubUser get(UUID userId, UUID subUserId) {
        return view(repository.find(userId, subUserId).orElseThrow(() -> notFound(subUserId)));
    }

    @Override
    @Transactional
    public CreatedSubUser create(UUID userId, String name, SubUserSpec spec) {
        if (!SubUserNames.NAME.matcher(name).matches()) {
            throw invalid("name", "name: '" + printable(name) + "' (expected: 1-32 of a-z, 0-9 and _)");
        }
        SubUserSpec valid = validate(userId, spec);
        Account account = accounts.find(userId).orElseThrow(() -> notFound(userId));
        repository.lockUser(userId);
        if (repository.countByUser(userId) >= MAX_SUB_USERS) {
            throw new SubUsersException(SubUsersException.Reason.LIMIT_REACHED,
                    "at most " + MAX_SUB_USERS + " sub-users per account; delete one to create another", null);
        }
        if (repository.nameTaken(account.customerId(), name)) {
            throw new SubUsersException(SubUsersException.Reason.NAME_TAKEN,
                    "name: a sub-user named '" + name + "' already exists", "name");
        }
        String secret = "iploop_" + SecureTokens.randomHex(24);
        UUID id = UUID.randomUUID();
        repository.insert(id, userId, account.customerId(), name, SecureTokens.sha256Hex(secret), secret.substring(0, 14), valid);
        return new CreatedSubUser(get(userId, id), secret);
    }

    @Override
    @Transactional
    public SubUser update(UUID userId, UUID subUserId, SubUserSpec spec) {
        repository.find(userId, subUserId).orElseThrow(() -> notFound(subUserId));
        if (!repository.update(userId, subUserId, validate(userId, spec))) {
            throw notFound(subUserId);
        }
        return get(userId, subUserId);
    }

    @Override
    @Transactional
    public SubUser setEnabled(UUID userId, UUID subUserId, boolean enabled) {
        if (!repository.setEnabled(userId, subUserId, enabled)) {
            throw notFound(subUserId);
        }
        return get(userId, subUserId);
    }

    @Override
    @Transactional
    public void delete(UUID userId, UUID subUserId) {
        if (!repository.delete(userId, subUserId)) {
            throw notFound(subUserId);
        }
    }

    /** The spec normalised, or a 400 naming the first field out of its rules. */
    private SubUserSpec validate(UUID userId, SubUserSpec spec) {
        Long limit = spec.trafficLimitBytes();
        if (limit != null && limit <= 0) {
            throw invalid("trafficLimitBytes", "trafficLimitBytes: " + limit + " (expected: > 0, or null for no own limit)");
        }
        String period = spec.trafficPeriod() == null ? "month" : spec.trafficPeriod().strip().toLowerCase(Locale.ROOT);
        if (!period.equals("month") && !period.equals("total")) {
            throw invalid("trafficPeriod", "trafficPeriod: '" + printable(spec.trafficPeriod()) + "' (expected: month or total)");
        }
        Optional<Plan> plan = plans.current(userId).flatMap(s -> plans.find(s.planId()));
        Integer planRps = plan.map(Plan::requestsPerSecond).orElse(null);
        Integer planRpd = plan.map(Plan::requestsPerDay).orElse(null);
        if (spec.requestsPerSecond() < 0 || (planRps != null && spec.requestsPerSecond() > planRps)) {
            throw invalid("requestsPerSecond", "requestsPerSecond: " + spec.requestsPerSecond() + " (expected: 0 for the plan's "
                    + (planRps == null ? "" : "up to " + planRps + " ") + "or a lower number; never above the plan)");
        }
        if (spec.requestsPerDay() < 0 || (planRpd != null && spec.requestsPerDay() > planRpd)) {
            throw invalid("requestsPerDay", "requestsPerDay: " + spec.requestsPerDay() + " (expected: 0 for the plan's "
                    + (planRpd == null ? "" : "up to " + planRpd + " ") + "or a lower number; never above the plan)");
        }
        Set<String> countries = new LinkedHashSet<>();
        for (String c : spec.allowedCountries()) {
            String upper = c.strip().toUpperCase(Locale.ROOT);
            if (!COUNTRIES.contains(upper)) {
                throw invalid("allowedCountries", "allowedCountries: '" + printable(c)
                        + "' (expected: ISO 3166-1 alpha-2 country codes such as US or DE)");
            }
            countries.add(upper);
        }
        if (countries.size() > MAX_COUNTRIES) {
            throw invalid("allowedCountries", "allowedCountries: " + countries.size() + " (expected: at most " + MAX_COUNTRIES + ")");
        }
        List<String> ips = IpWhitelists.validate(spec.ipWhitelist(), "ipWhitelist");
        Instant expires = spec.expiresAt();
        if (expires != null && !expires.isAfter(clock.instant())) {
            throw invalid("expiresAt", "expiresAt: " + expires + " (expected: in the future, or null for never)");
        }
        return new SubUserSpec(limit, period, spec.requestsPerSecond(), spec.requestsPerDay(), new ArrayList<>(countries),
                spec.cityAllowed(), ips, expires);
    }

    static SubUser view(SubUserRepository.Row r) {
        return new SubUser(r.id(), r.name(), SubUserNames.username(r.customerId(), r.name()), r.secretPrefix(), r.enabled(),
                r.trafficLimitBytes(), r.trafficPeriod(), r.usedBytes(), r.requestsPerSecond(), r.requestsPerDay(),
                r.allowedCountries(), r.cityAllowed(), r.ipWhitelist(), r.expiresAt(), r.expired(), r.createdAt(),
                r.updatedAt(), null);
    }

    private static SubUsersException invalid(String field, String message) {
        return new SubUsersException(SubUsersException.Reason.INVALID, message, field);
    }

    private static SubUsersException notFound(UUID id) {
        return new SubUsersException(SubUsersException.Reason.NOT_FOUND, "sub-user " + id + " not found", null);
    }

    /** At most 40 printable ASCII characters of {@code s}, for messages. */
    private static String printable(@Nullable String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f && c != '\'' ? c : '?');
        }
        return b.toString();
    }
}
