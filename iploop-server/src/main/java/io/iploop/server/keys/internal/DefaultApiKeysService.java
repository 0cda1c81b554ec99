package io.iploop.server.keys.internal;

import io.iploop.gateway.Gateway;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.keys.ApiKey;
import io.iploop.server.keys.IpAuthorisation;
import io.iploop.server.keys.KeyOwners;
import io.iploop.server.keys.ApiKeysService;
import io.iploop.server.keys.CreatedApiKey;
import io.iploop.server.keys.KeysException;
import io.iploop.server.platform.SecureTokens;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The API keys service over {@link ApiKeyRepository}; creating and toggling keys is audited
 * (docs/product/accounts.md#audit-log) in the same transaction. Thread-safe.
 */
@Service
class DefaultApiKeysService implements ApiKeysService {

    /** Characters of the key shown in listings (docs/product/proxy.md#api-keys: first 14). */
    static final int DISPLAY_PREFIX_LENGTH = 14;

    private final ApiKeyRepository keys;
    private final AuditService audit;
    private final IpAuthorisationRepository ipAuthorisations;
    private final KeyOwners owners;

    DefaultApiKeysService(ApiKeyRepository keys, IpAuthorisationRepository ipAuthorisations, AuditService audit,
            KeyOwners owners) {
        this.keys = keys;
        this.ipAuthorisations = ipAuthorisations;
        this.audit = audit;
        this.owners = owners;
    }

    /** A new key: {@code iploop_} + 48 hex from 24 SecureRandom bytes. */
    static String newKey() {
        return KEY_PREFIX + SecureTokens.randomHex(24);
    }

    @Override
    @Transactional
    public CreatedApiKey create(UUID userId, String name) {
        // Overridden so the transaction (which the audit entry requires) starts at the proxy; the
        // interface's default method would call the three-argument create on the bare target.
        return create(userId, name, null);
    }

    @Override
    @Transactional
    public CreatedApiKey create(UUID userId, String name, @Nullable Instant expiresAt) {
        if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
            throw new KeysException(KeysException.Reason.INVALID_EXPIRY,
                    "expiresAt: " + expiresAt + " (expected: in the future)", "expiresAt");
        }
        keys.lockUser(userId);
        if (keys.countByUser(userId) >= MAX_KEYS_PER_USER) {
            throw new KeysException(KeysException.Reason.KEY_LIMIT_REACHED,
                    "an account can have at most " + MAX_KEYS_PER_USER + " API keys", null);
        }
        return issue(userId, name.strip(), true, expiresAt, List.of());
    }

    private CreatedApiKey issue(UUID userId, String name, boolean active, @Nullable Instant expiresAt, List<String> ips) {
        String key = newKey();
        ApiKey created = keys.insert(userId, new ApiKeyRepository.NewKey(name, SecureTokens.sha256Hex(key),
                key.substring(0, DISPLAY_PREFIX_LENGTH), active, expiresAt, ips));
        audit(userId, AuditAction.API_KEY_CREATED, created);
        return new CreatedApiKey(created, key);
    }

    @Override
    public List<ApiKey> list(UUID userId) {
        return keys.findByUser(userId);
    }

    @Override
    public ApiKey get(UUID userId, UUID keyId) {
        return keys.find(userId, keyId, false).orElseThrow(DefaultApiKeysService::notFound);
    }

    @Override
    @Transactional
    public ApiKey setActive(UUID userId, UUID keyId, boolean active) {
        ApiKey key = keys.setActive(userId, keyId, active).orElseThrow(DefaultApiKeysService::notFound);
        audit(userId, active ? AuditAction.API_KEY_ENABLED : AuditAction.API_KEY_DISABLED, key);
        return key;
    }

    @Override
    @Transactional
    public void delete(UUID userId, UUID keyId) {
        ApiKey key = keys.find(userId, keyId, false).orElseThrow(DefaultApiKeysService::notFound);
        if (!keys.delete(userId, keyId)) {
            throw notFound();
        }
        audit(userId, AuditAction.API_KEY_DELETED, key);
    }

    @Override
    @Transactional
    public ApiKey setWhitelist(UUID userId, UUID keyId, List<String> ips) {
        List<String> valid = IpWhitelist.validate(ips, "ips");
        ApiKey old = keys.find(userId, keyId, true).orElseThrow(DefaultApiKeysService::notFound);
        ApiKey updated = keys.setWhitelist(userId, keyId, valid).orElseThrow(DefaultApiKeysService::notFound);
        audit.record(new AuditEvent(userId, AuditAction.IP_WHITELIST_CHANGED, "api_key", keyId.toString(),
                Map.of("name", old.name(), "old", String.join(",", old.ipWhitelist()), "new", String.join(",", valid))));
        return updated;
    }

    @Override
    @Transactional
    public CreatedApiKey rotate(UUID userId, UUID keyId) {
        keys.lockUser(userId);
        ApiKey old = keys.find(userId, keyId, true).orElseThrow(DefaultApiKeysService::notFound);
        if (old.replacedBy() != null) {
            throw new KeysException(KeysException.Reason.ALREADY_ROTATED,
                    "this API key was already rotated; rotate its successor " + old.replacedBy() + " instead", null);
        }
        CreatedApiKey successor = issue(userId, old.name(), old.isActive(), old.expiresAt(), old.ipWhitelist());
        keys.retire(userId, keyId, successor.apiKey().id(), ROTATION_GRACE);
        audit(userId, AuditAction.API_KEY_ROTATED, old);
        return successor;
    }

    @Override
    public List<String> accountWhitelist(UUID userId) {
        return keys.accountWhitelist(userId);
    }

    @Override
    @Transactional
    public List<String> setAccountWhitelist(UUID userId, List<String> ips) {
        List<String> valid = IpWhitelist.validate(ips, "ips");
        keys.lockUser(userId);
        List<String> old = keys.accountWhitelist(userId);
        keys.setAccountWhitelist(userId, valid);
        audit.record(new AuditEvent(userId, AuditAction.IP_WHITELIST_CHANGED, "account", userId.toString(),
                Map.of("old", String.join(",", old), "new", String.join(",", valid))));
        return valid;
    }

    private static KeysException notFound() {
        return new KeysException(KeysException.Reason.NOT_FOUND, "no such API key", null);
    }

    @Override
    public List<IpAuthorisation> ipAuthorisations(UUID userId) {
        return ipAuthorisations.list(userId);
    }

    @Override
    @Transactional
    public List<IpAuthorisation> setIpAuthorisations(UUID userId, List<IpAuthorisation> entries) {
        List<IpAuthorisation> valid = validateIpAuthorisations(entries);
        keys.lockUser(userId);
        for (IpAuthorisation e : valid) {
            ipAuthorisations.overlapOfAnother(userId, e.ip()).ifPresent(other -> {
                throw alreadyAuthorised(e.ip(), other);
            });
        }
        List<IpAuthorisation> old = ipAuthorisations.list(userId);
        try {
            ipAuthorisations.replace(userId, valid);
        } catch (DataIntegrityViolationException race) {
            // Another account claimed an overlapping range between the check and the insert.
            throw new KeysException(KeysException.Reason.IP_ALREADY_AUTHORISED,
                    "entries: an address overlaps one another account has just authorised", "entries");
        }
        audit.record(new AuditEvent(userId, AuditAction.IP_AUTHORISATIONS_CHANGED, "account", userId.toString(),
                Map.of("old", describe(old), "new", describe(valid))));
        return ipAuthorisations.list(userId); // as stored: a single address without its /32 or /128
    }

    /** Normalised entries: addresses as in whitelists, targeting checked by the gateway's own parser. */
    static List<IpAuthorisation> validateIpAuthorisations(List<IpAuthorisation> entries) {
        if (entries.size() > IpWhitelist.MAX_ENTRIES) {
            throw invalidIpAuthorisation("entries: " + entries.size() + " entries (expected: at most "
                    + IpWhitelist.MAX_ENTRIES + ")", "entries");
        }
        List<IpAuthorisation> valid = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            IpAuthorisation e = entries.get(i);
            String field = "entries[" + i + "]";
            String ip;
            try {
                ip = IpWhitelist.validate(List.of(e.ip()), field + ".ip").getFirst();
            } catch (KeysException bad) {
                throw invalidIpAuthorisation(bad.getMessage(), field + ".ip");
            }
            String tooWide = tooWide(ip);
            if (tooWide != null) {
                throw invalidIpAuthorisation(field + ".ip: '" + ip + "' " + tooWide, field + ".ip");
            }
            String targeting = e.targeting().strip();
            String error = Gateway.targetingError(targeting);
            if (error != null) {
                throw invalidIpAuthorisation(field + ".targeting: " + error, field + ".targeting");
            }
            for (int j = 0; j < valid.size(); j++) {
                if (IpWhitelist.overlap(valid.get(j).ip(), ip)) {
                    throw invalidIpAuthorisation(field + ".ip: '" + ip + "' overlaps entries[" + j + "] '"
                            + valid.get(j).ip() + "' (expected: ranges that do not overlap)", field + ".ip");
                }
            }
            valid.add(new IpAuthorisation(ip, targeting));
        }
        return List.copyOf(valid);
    }

    /** The widest ranges an account may authorise: a /24 of IPv4, a /48 of IPv6 (docs/ip-authorised-access.md#the-list). */
    static final int MIN_IPV4_PREFIX = 24;
    static final int MIN_IPV6_PREFIX = 48;

    /**
     * Why a normalised address or range is too wide to serve without credentials, or null. A
     * wider range would turn the gateway into an open proxy for whole networks on one account's
     * bill, and (one address, one account) would stop every other account from authorising any
     * address inside it.
     */
    static @Nullable String tooWide(String ip) {
        int slash = ip.indexOf('/');
        if (slash < 0) {
            return null;
        }
        int prefix = Integer.parseInt(ip.substring(slash + 1));
        boolean v6 = ip.indexOf(':') >= 0;
        int min = v6 ? MIN_IPV6_PREFIX : MIN_IPV4_PREFIX;
        return prefix >= min ? null
                : "is wider than a /" + min + " (expected: single addresses or " + (v6 ? "IPv6" : "IPv4")
                        + " ranges of /" + min + " or narrower)";
    }

    private static KeysException invalidIpAuthorisation(String message, String field) {
        return new KeysException(KeysException.Reason.INVALID_IP_AUTHORISATION, message, field);
    }

    private static KeysException alreadyAuthorised(String ip, String other) {
        return new KeysException(KeysException.Reason.IP_ALREADY_AUTHORISED, "entries: '" + ip + "' overlaps '" + other
                + "', which another account has authorised for access without credentials (an address belongs to one account)",
                "entries");
    }

    private static String describe(List<IpAuthorisation> entries) {
        return String.join(",", entries.stream().map(e -> e.targeting().isEmpty() ? e.ip() : e.ip() + "=" + e.targeting()).toList());
    }

    private void audit(UUID userId, AuditAction action, ApiKey key) {
        audit.record(new AuditEvent(userId, action, "api_key", key.id().toString(), Map.of("name", key.name())));
    }

    @Override
    public long activeKeyCount() {
        return keys.countUsable(owners.inactiveIds());
    }
}
