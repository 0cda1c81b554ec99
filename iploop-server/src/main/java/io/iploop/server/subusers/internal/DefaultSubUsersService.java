package io.iploop.server.subusers.internal;

import io.iploop.gateway.spi.SubUserNames;
import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The {@link SubUsersService}: validation (docs/sub-users.md#limits: request limits never above the
 * plan's), the secret (24 SecureRandom bytes as {@code iploop_} + 48 hex, the shape of an API key
 * so the gateway parses it the same way, stored as SHA-256 only) and the per-account cap. Every
 * change is audited in its own transaction (docs/sub-users.md#audit): who (the account, with the
 * request's IP and user agent), what (the sub-user), and the settings before and after.
 * Thread-safe.
 */
@Service
class DefaultSubUsersService implements SubUsersService {

    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());
    private static final int MAX_COUNTRIES = 250;

    private final SubUserRepository repository;
    private final AccountsService accounts;
    private final PlansService plans;
    private final AuditService audit;
    private final Clock clock;

    DefaultSubUsersService(SubUserRepository repository, AccountsService accounts, PlansService plans, AuditService audit,
            Clock clock) {
        this.repository = repository;
        this.accounts = accounts;
        this.plans = plans;
        this.audit = audit;
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
        SubUser created = get(userId, id);
        audit(userId, AuditAction.SUB_USER_CREATED, created, settings(created));
        return new CreatedSubUser(created, secret);
    }

    @Override
    @Transactional
    public SubUser update(UUID userId, UUID subUserId, SubUserSpec spec) {
        SubUser before = get(userId, subUserId);
        if (!repository.update(userId, subUserId, validate(userId, spec))) {
            throw notFound(subUserId);
        }
        SubUser after = get(userId, subUserId);
        audit(userId, AuditAction.SUB_USER_UPDATED, after, changes(settings(before), settings(after)));
        return after;
    }

    @Override
    @Transactional
    public SubUser setEnabled(UUID userId, UUID subUserId, boolean enabled) {
        SubUser before = get(userId, subUserId);
        if (!repository.setEnabled(userId, subUserId, enabled)) {
            throw notFound(subUserId);
        }
        SubUser after = get(userId, subUserId);
        audit(userId, enabled ? AuditAction.SUB_USER_ENABLED : AuditAction.SUB_USER_DISABLED, after,
                Map.of("enabled", before.enabled() + " -> " + after.enabled()));
        return after;
    }

    @Override
    @Transactional
    public void delete(UUID userId, UUID subUserId) {
        SubUser before = get(userId, subUserId);
        if (!repository.delete(userId, subUserId)) {
            throw notFound(subUserId);
        }
        audit(userId, AuditAction.SUB_USER_DELETED, before, settings(before));
    }

    /** One entry about {@code subUser}: its name and id always, plus {@code details}. */
    private void audit(UUID userId, AuditAction action, SubUser subUser, Map<String, String> details) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("name", subUser.name());
        all.put("username", subUser.username());
        all.putAll(details);
        audit.record(new AuditEvent(userId, action, "sub_user", subUser.id().toString(), all));
    }

    /** Every setting of {@code s} as audit text ({@code null} for none); never its secret. */
    private static Map<String, String> settings(SubUser s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("enabled", String.valueOf(s.enabled()));
        m.put("trafficLimitBytes", String.valueOf(s.trafficLimitBytes()));
        m.put("trafficPeriod", s.trafficPeriod());
        m.put("requestsPerSecond", String.valueOf(s.requestsPerSecond()));
        m.put("requestsPerDay", String.valueOf(s.requestsPerDay()));
        m.put("maxConcurrentConnections", String.valueOf(s.maxConcurrentConnections()));
        m.put("allowedCountries", String.join(",", s.allowedCountries()));
        m.put("cityAllowed", String.valueOf(s.cityAllowed()));
        m.put("ipWhitelist", String.join(",", s.ipWhitelist()));
        m.put("expiresAt", String.valueOf(s.expiresAt()));
        return m;
    }

    /** The settings that differ, as {@code setting -> "old -> new"}. */
    private static Map<String, String> changes(Map<String, String> before, Map<String, String> after) {
        Map<String, String> changed = new LinkedHashMap<>();
        after.forEach((k, v) -> {
            String old = before.get(k);
            if (!Objects.equals(old, v)) {
                changed.put(k, old + " -> " + v);
            }
        });
        return changed;
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
        // A plan without a connection limit (null, or 0 as the gateway reads it) caps nothing.
        Integer planConns = plan.map(Plan::maxConcurrentConnections).filter(n -> n > 0).orElse(null);
        if (spec.requestsPerSecond() < 0 || (planRps != null && spec.requestsPerSecond() > planRps)) {
            throw invalid("requestsPerSecond", "requestsPerSecond: " + spec.requestsPerSecond() + " (expected: 0 for the plan's "
                    + (planRps == null ? "" : "up to " + planRps + " ") + "or a lower number; never above the plan)");
        }
        if (spec.requestsPerDay() < 0 || (planRpd != null && spec.requestsPerDay() > planRpd)) {
            throw invalid("requestsPerDay", "requestsPerDay: " + spec.requestsPerDay() + " (expected: 0 for the plan's "
                    + (planRpd == null ? "" : "up to " + planRpd + " ") + "or a lower number; never above the plan)");
        }
        // 0 means "none of its own", as it does for the request limits; stored as null.
        Integer conns = spec.maxConcurrentConnections() == null || spec.maxConcurrentConnections() == 0 ? null
                : spec.maxConcurrentConnections();
        if (conns != null && (conns < 0 || (planConns != null && conns > planConns))) {
            throw invalid("maxConcurrentConnections", "maxConcurrentConnections: " + conns
                    + " (expected: null for the plan's " + (planConns == null ? "" : "(" + planConns + ") ")
                    + "or 1" + (planConns == null ? " or more" : " to " + planConns) + "; never above the plan)");
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
                spec.cityAllowed(), ips, expires, conns);
    }

    static SubUser view(SubUserRepository.Row r) {
        return new SubUser(r.id(), r.name(), SubUserNames.username(r.customerId(), r.name()), r.secretPrefix(), r.enabled(),
                r.trafficLimitBytes(), r.trafficPeriod(), r.usedBytes(), r.requestsPerSecond(), r.requestsPerDay(),
                r.allowedCountries(), r.cityAllowed(), r.ipWhitelist(), r.expiresAt(), r.expired(), r.createdAt(),
                r.updatedAt(), null, r.maxConcurrentConnections());
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
