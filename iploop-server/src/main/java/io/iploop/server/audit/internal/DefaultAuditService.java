package io.iploop.server.audit.internal;

import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditException;
import io.iploop.server.audit.AuditException.Reason;
import io.iploop.server.audit.AuditPage;
import io.iploop.server.audit.AuditQuery;
import io.iploop.server.audit.AuditService;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Arrays;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The audit service over {@link AuditRepository}. The IP is the socket peer address (no
 * {@code X-Forwarded-For}: it could be forged). Thread-safe.
 */
@Service
class DefaultAuditService implements AuditService {

    /** Longest user agent kept; longer ones are cut. */
    private static final int MAX_USER_AGENT = 500;

    private final AuditRepository repository;

    DefaultAuditService(AuditRepository repository) {
        this.repository = repository;
    }

    @Override
    @Transactional(propagation = Propagation.MANDATORY)
    public void record(AuditEvent e) {
        @Nullable HttpServletRequest request = currentRequest();
        String ip = request == null ? null : request.getRemoteAddr();
        String userAgent = request == null ? null : request.getHeader(HttpHeaders.USER_AGENT);
        if (userAgent != null && userAgent.length() > MAX_USER_AGENT) {
            userAgent = userAgent.substring(0, MAX_USER_AGENT);
        }
        repository.insert(e.userId(), e.action().dbValue(), e.resourceType(), e.resourceId(), e.details(), ip,
                userAgent);
    }

    @Override
    @Transactional(readOnly = true)
    public AuditPage list(UUID callerId, boolean admin, AuditQuery query) {
        int page = query.page();
        int limit = query.limit();
        @Nullable String action = query.action();
        if (page < 1) {
            throw new AuditException(Reason.INVALID_QUERY, "page: " + page + " (expected: >= 1)", "page");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new AuditException(Reason.INVALID_QUERY,
                    "limit: " + limit + " (expected: 1.." + MAX_LIMIT + ")", "limit");
        }
        if (action != null && Arrays.stream(AuditAction.values()).noneMatch(a -> a.dbValue().equals(action))) {
            throw new AuditException(Reason.INVALID_QUERY, "action: unknown action", "action");
        }
        if (query.resourceType() != null && query.resourceType().length() > 50) {
            throw new AuditException(Reason.INVALID_QUERY, "resourceType: longer than 50 characters", "resourceType");
        }
        UUID scope = admin ? null : callerId;
        return new AuditPage(repository.find(scope, action, query.resourceType(), query.oldestFirst(),
                (long) (page - 1) * limit, limit), page, limit, repository.count(scope, action, query.resourceType()));
    }

    private static @Nullable HttpServletRequest currentRequest() {
        return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes a
                ? a.getRequest() : null;
    }
}
