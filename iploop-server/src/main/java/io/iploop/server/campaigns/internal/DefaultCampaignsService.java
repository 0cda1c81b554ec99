package io.iploop.server.campaigns.internal;

import io.iploop.server.campaigns.CampaignDomain;
import io.iploop.server.campaigns.CampaignSettings;
import io.iploop.server.campaigns.CampaignsException;
import io.iploop.server.campaigns.CampaignsException.Reason;
import io.iploop.server.campaigns.CampaignsService;
import io.iploop.server.campaigns.Project;
import io.iploop.server.campaigns.ProjectSpec;
import io.iploop.server.campaigns.ProjectStatus;
import io.iploop.server.campaigns.RunnableProject;
import io.iploop.server.campaigns.VisitReservation;
import io.iploop.server.notifications.NotificationsService;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@link CampaignsService} on {@code campaign_projects} (docs/campaigns.md#projects). Status changes
 * and reservations lock the project's row, so concurrent callers see one another's effects.
 * Thread-safe.
 */
@Service
class DefaultCampaignsService implements CampaignsService {

    private static final Logger log = LoggerFactory.getLogger(DefaultCampaignsService.class);
    static final int MAX_NAME = 100;

    private final ProjectRepository projects;
    private final DomainRepository domains;
    private final SettingsParser parser;
    private final NotificationsService notifications;
    private final TransactionTemplate tx;

    DefaultCampaignsService(ProjectRepository projects, DomainRepository domains, SettingsParser parser,
            NotificationsService notifications, TransactionTemplate tx) {
        this.projects = projects;
        this.domains = domains;
        this.parser = parser;
        this.notifications = notifications;
        this.tx = tx;
    }

    @Override
    public List<Project> list(UUID userId) {
        return projects.list(userId);
    }

    @Override
    public Project get(UUID userId, UUID projectId) {
        return projects.find(userId, projectId).orElseThrow(DefaultCampaignsService::notFound);
    }

    @Override
    public Project create(UUID userId, ProjectSpec spec) {
        Valid v = validate(userId, spec, Instant.now());
        ProjectStatus status = spec.status() == null ? ProjectStatus.ACTIVE : spec.status();
        if (status != ProjectStatus.ACTIVE && status != ProjectStatus.PAUSED) {
            throw new CampaignsException(Reason.INVALID, "status of a new project must be active or paused", "status");
        }
        UUID id = UUID.randomUUID();
        tx.executeWithoutResult(s -> {
            projects.lockUser(userId);
            if (projects.countByUser(userId) >= MAX_PROJECTS) {
                throw new CampaignsException(Reason.INVALID, "an account has at most " + MAX_PROJECTS + " projects", "name");
            }
            projects.insert(id, userId, v.name(), status, v.dailyLimit(), v.totalTarget(), spec.expiresAt(), spec.settings());
        });
        return get(userId, id);
    }

    @Override
    public Project update(UUID userId, UUID projectId, ProjectSpec spec) {
        get(userId, projectId);
        Valid v = validate(userId, spec, Instant.now());
        return inTx(() -> {
            Project current = projects.lock(userId, projectId).orElseThrow(DefaultCampaignsService::notFound);
            ProjectStatus target = spec.status() == null ? current.status() : spec.status();
            checkCustomerTransition(current, target, v.totalTarget(), current.visitsTotal());
            projects.update(projectId, v.name(), target, target != current.status(), v.dailyLimit(), v.totalTarget(),
                    spec.expiresAt(), spec.settings());
            return get(userId, projectId);
        });
    }

    @Override
    public Project changeStatus(UUID userId, UUID projectId, ProjectStatus status) {
        return inTx(() -> {
            Project current = projects.lock(userId, projectId).orElseThrow(DefaultCampaignsService::notFound);
            if (current.status() == status) {
                return current;
            }
            checkCustomerTransition(current, status, current.totalTarget(), current.visitsTotal());
            if (status == ProjectStatus.ACTIVE) {
                if (current.expiresAt() != null && !current.expiresAt().isAfter(Instant.now())) {
                    throw new CampaignsException(Reason.INVALID, "expiresAt has passed: set a later expiry to activate",
                            "expiresAt");
                }
                checkUrlsVerified(userId, parser.parse(current.settings()).urls());
            }
            projects.setStatus(projectId, status, null);
            return get(userId, projectId);
        });
    }

    @Override
    public void delete(UUID userId, UUID projectId) {
        if (!projects.delete(userId, projectId)) {
            throw notFound();
        }
    }

    @Override
    public CampaignSettings settingsOf(Project project) {
        return parser.parse(project.settings());
    }

    @Override
    public List<RunnableProject> runnableProjects(Instant now) {
        List<RunnableProject> out = new ArrayList<>();
        for (Project p : projects.runnable(now)) {
            try {
                int today = p.visitsToday();
                out.add(new RunnableProject(p.id(), p.userId(), p.name(), p.dailyLimit(), p.totalTarget(),
                        p.expiresAt(), today, p.visitsTotal(), parser.parse(p.settings())));
            } catch (CampaignsException e) {
                // Stored settings were valid when saved; a stricter parser later must not stop the others.
                log.warn("Campaign project {} has settings the engine cannot read: {}", p.id(), e.getMessage());
            }
        }
        return out;
    }

    @Override
    public VisitReservation reserveVisits(UUID projectId, int visits, Instant now) {
        if (visits < 1) {
            throw new IllegalArgumentException("visits must be at least 1: " + visits);
        }
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        return inTx(() -> {
            ProjectRepository.Counters c = projects.lockCounters(projectId).orElse(null);
            if (c == null) {
                return VisitReservation.none(0, 0, false);
            }
            int today = c.todayOn(day);
            boolean reached = c.totalTarget() > 0 && c.visitsTotal() >= c.totalTarget();
            boolean expired = c.expiresAt() != null && !c.expiresAt().isAfter(now);
            if (c.status() != ProjectStatus.ACTIVE || expired || reached) {
                return VisitReservation.none(today, c.visitsTotal(), reached);
            }
            long granted = visits;
            if (c.dailyLimit() > 0) {
                granted = Math.min(granted, (long) c.dailyLimit() - today);
            }
            if (c.totalTarget() > 0) {
                granted = Math.min(granted, c.totalTarget() - c.visitsTotal());
            }
            if (granted <= 0) {
                return VisitReservation.none(today, c.visitsTotal(), reached);
            }
            int g = (int) granted;
            projects.setCounters(projectId, day, today + g, c.visitsTotal() + g);
            long total = c.visitsTotal() + g;
            return new VisitReservation(g, today + g, total, c.totalTarget() > 0 && total >= c.totalTarget());
        });
    }

    @Override
    public void releaseVisits(UUID projectId, int visits, Instant now) {
        if (visits < 1) {
            return;
        }
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        tx.executeWithoutResult(s -> projects.lockCounters(projectId).ifPresent(c -> {
            int today = c.todayOn(day);
            projects.setCounters(projectId, c.visitsDay() == null ? day : c.visitsDay(),
                    today == 0 ? c.visitsToday() : Math.max(0, today - visits), Math.max(0, c.visitsTotal() - visits));
        }));
    }

    @Override
    public boolean changeStatusBySystem(UUID projectId, ProjectStatus status, String reason) {
        Boolean changed = tx.execute(s -> {
            Project p = projects.lockById(projectId).orElse(null);
            if (p == null || p.status() == status) {
                return false;
            }
            if (!p.status().canBecome(status)) {
                throw new CampaignsException(Reason.INVALID_TRANSITION,
                        "a " + p.status().value() + " project cannot become " + status.value(), "status");
            }
            projects.setStatus(projectId, status, reason);
            notifications.notify(p.userId(), "campaign_" + status.value(),
                    "Campaign \"" + p.name() + "\" is " + status.value(), reason, "/campaigns");
            return true;
        });
        return Boolean.TRUE.equals(changed);
    }

    /** Fields checked before anything is written. */
    private record Valid(String name, int dailyLimit, long totalTarget, CampaignSettings settings) {}

    private Valid validate(UUID userId, ProjectSpec spec, Instant now) {
        String name = spec.name().strip();
        if (name.isEmpty() || name.length() > MAX_NAME) {
            throw new CampaignsException(Reason.INVALID, "name must be 1-" + MAX_NAME + " characters", "name");
        }
        int daily = spec.dailyLimit() == null ? 0 : spec.dailyLimit();
        if (daily < 0) {
            throw new CampaignsException(Reason.INVALID, "dailyLimit must be 0 (none) or more visits", "dailyLimit");
        }
        long total = spec.totalTarget() == null ? 0 : spec.totalTarget();
        if (total < 0) {
            throw new CampaignsException(Reason.INVALID, "totalTarget must be 0 (none) or more visits", "totalTarget");
        }
        if (spec.expiresAt() != null && !spec.expiresAt().isAfter(now)) {
            throw new CampaignsException(Reason.INVALID, "expiresAt must be in the future (or null for never)", "expiresAt");
        }
        CampaignSettings settings = parser.parse(spec.settings());
        checkUrlsVerified(userId, settings.urls());
        return new Valid(name, daily, total, settings);
    }

    /** Every URL's host must be covered by one of the account's verified domain claims. */
    private void checkUrlsVerified(UUID userId, List<URI> urls) {
        List<CampaignDomain> verified = domains.verified(userId);
        for (int i = 0; i < urls.size(); i++) {
            String host = hostOf(urls.get(i));
            if (verified.stream().noneMatch(d -> d.covers(host))) {
                throw new CampaignsException(Reason.INVALID, "settings.urls[" + i + "] " + urls.get(i)
                        + " is not on a domain you verified (verify " + host + " under /api/projects/domains first)",
                        "settings.urls[" + i + "]");
            }
        }
    }

    static String hostOf(URI uri) {
        String host = java.util.Objects.requireNonNull(uri.getHost()).toLowerCase(Locale.ROOT);
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }

    private static void checkCustomerTransition(Project current, ProjectStatus target, long totalTarget, long visitsTotal) {
        if (target == current.status()) {
            return;
        }
        if (target == ProjectStatus.COMPLETED) {
            throw new CampaignsException(Reason.INVALID,
                    "status completed is set by the platform when the total target is reached", "status");
        }
        if (!current.status().canBecome(target)) {
            throw new CampaignsException(Reason.INVALID_TRANSITION, "a " + current.status().value()
                    + " project cannot become " + target.value() + " (allowed: " + allowed(current.status()) + ")", "status");
        }
        if (target == ProjectStatus.ACTIVE && totalTarget > 0 && visitsTotal >= totalTarget) {
            throw new CampaignsException(Reason.INVALID_TRANSITION,
                    "the total target is reached: raise totalTarget to activate", "status");
        }
    }

    private static String allowed(ProjectStatus s) {
        List<String> names = s.next().stream().filter(t -> t != ProjectStatus.COMPLETED).map(ProjectStatus::value).toList();
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    private <T> T inTx(java.util.function.Supplier<@Nullable T> work) {
        T result = tx.execute(s -> work.get());
        if (result == null) {
            throw new IllegalStateException("transaction returned nothing");
        }
        return result;
    }

    private static CampaignsException notFound() {
        return new CampaignsException(Reason.PROJECT_NOT_FOUND, "no such project", "id");
    }
}
