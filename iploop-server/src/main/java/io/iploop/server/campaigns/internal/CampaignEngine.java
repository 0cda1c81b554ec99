package io.iploop.server.campaigns.internal;

import io.iploop.server.campaigns.CampaignPricing;
import io.iploop.server.campaigns.CampaignSettings;
import io.iploop.server.campaigns.CampaignWalletService;
import io.iploop.server.campaigns.CampaignsService;
import io.iploop.server.campaigns.ProjectStatus;
import io.iploop.server.campaigns.RunnableProject;
import io.iploop.server.campaigns.VisitReservation;
import io.iploop.server.campaigns.WalletSpend;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.keys.KeysException;
import io.iploop.server.platform.IploopProperties;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The visit engine (docs/campaigns.md#engine). One {@link #tick} (the leader-elected job
 * {@code campaigns-engine}) takes every runnable project whose schedule allows now, reserves
 * {@link #concurrency} visits of it in the database, sends them in parallel on virtual threads through
 * the platform's own gateway as the owner's traffic, gives back the visits that failed, charges the
 * owner's wallet for the delivered ones in one idempotent spend, publishes one pulse hit per delivered
 * visit, and completes or pauses the project when its target is reached or its wallet cannot pay.
 * Runs are serialised by the jobs lock; thread-safe.
 */
@Component
class CampaignEngine {

    private static final Logger log = LoggerFactory.getLogger(CampaignEngine.class);

    private final CampaignsService campaigns;
    private final CampaignWalletService wallet;
    private final OwnerProxyAccess access;
    private final LivePulse pulse;
    private final DataPlane dataPlane;
    private final int maxConcurrency;
    private final String infoUrl;
    private final Duration requestTimeout;

    CampaignEngine(CampaignsService campaigns, CampaignWalletService wallet, OwnerProxyAccess access, LivePulse pulse,
            DataPlane dataPlane, IploopProperties properties,
            @Value("${iploop.campaigns.engine.max-concurrency:50}") int maxConcurrency,
            @Value("${iploop.campaigns.engine.info-url:}") String infoUrl,
            @Value("${iploop.campaigns.engine.request-timeout:20s}") Duration requestTimeout) {
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("iploop.campaigns.engine.max-concurrency must be at least 1");
        }
        this.campaigns = campaigns;
        this.wallet = wallet;
        this.access = access;
        this.pulse = pulse;
        this.dataPlane = dataPlane;
        this.maxConcurrency = maxConcurrency;
        this.infoUrl = infoUrl.isBlank() ? "https://" + properties.publicHost() + "/docs/campaigns" : infoUrl;
        this.requestTimeout = requestTimeout;
    }

    /** Visits sent at once for a speed of 0-100: {@code ceil(cap × speed / 100)}; 0 sends nothing. */
    static int concurrency(int trafficSpeed, int cap) {
        return (int) Math.ceil(cap * (double) trafficSpeed / 100.0);
    }

    /**
     * The rate a batch is charged at: the CPM curve's rate for the wallet's balance before the batch
     * (docs/campaigns.md#engine).
     */
    static BigDecimal rateFor(BigDecimal balance) {
        return CampaignPricing.rateFor(balance.max(BigDecimal.ZERO));
    }

    /** One round over the runnable projects; returns a one-line summary. */
    String tick(Instant now) {
        Optional<DataPlane.Ports> ports = dataPlane.ports();
        if (ports.isEmpty()) {
            return "no local gateway: no visits sent";
        }
        VisitClient client = new VisitClient(new InetSocketAddress("127.0.0.1", ports.get().httpProxy()), infoUrl,
                requestTimeout);
        List<RunnableProject> runnable = campaigns.runnableProjects(now).stream()
                .filter(p -> p.settings().schedule().allows(now)).toList();
        AtomicLong delivered = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        try (ExecutorService projects = Executors.newVirtualThreadPerTaskExecutor()) {
            for (RunnableProject p : runnable) {
                projects.submit(() -> {
                    try {
                        int[] r = runProject(p, client, now);
                        delivered.addAndGet(r[0]);
                        failed.addAndGet(r[1]);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (RuntimeException e) {
                        log.warn("campaign engine: project {} failed this round", p.id(), e);
                    }
                });
            }
        }
        return runnable.size() + " projects, " + delivered.get() + " visits delivered, " + failed.get() + " failed";
    }

    /** Returns {delivered, failed}. */
    private int[] runProject(RunnableProject p, VisitClient client, Instant now) throws InterruptedException {
        CampaignSettings s = p.settings();
        int n = concurrency(s.trafficSpeed(), maxConcurrency);
        if (n == 0) {
            return new int[] {0, 0};
        }
        BigDecimal balance = wallet.balance(p.userId());
        BigDecimal rate = rateFor(balance);
        if (balance.compareTo(CampaignPricing.priceOf(1, rate)) < 0) {
            campaigns.changeStatusBySystem(p.id(), ProjectStatus.PAUSED, "The campaign wallet is empty.");
            return new int[] {0, 0};
        }
        // Never reserve more than the wallet can pay for at this rate.
        long affordable = balance.multiply(CampaignPricing.VISITS_PER_RATE).divide(rate, 0, java.math.RoundingMode.DOWN)
                .longValue();
        n = (int) Math.min(n, affordable);
        OwnerProxyAccess.Credentials creds;
        try {
            Optional<OwnerProxyAccess.Credentials> c = access.of(p.userId());
            if (c.isEmpty()) {
                return new int[] {0, 0};
            }
            creds = c.get();
        } catch (KeysException e) {
            log.warn("campaign engine: no proxy key for the owner of project {}: {}", p.id(), e.getMessage());
            return new int[] {0, 0};
        }
        VisitReservation reservation = campaigns.reserveVisits(p.id(), n, now);
        int granted = reservation.granted();
        if (granted == 0) {
            completeIfDone(p.id(), reservation);
            return new int[] {0, 0};
        }
        List<Future<VisitClient.Outcome>> outcomes = new ArrayList<>(granted);
        List<VisitClient.Visit> visits = new ArrayList<>(granted);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < granted; i++) {
                VisitClient.Visit v = plan(p.id(), s);
                visits.add(v);
                outcomes.add(pool.submit(() -> client.visit(v, creds.customerId(), creds.key())));
            }
        }
        int ok = 0;
        String firstError = null;
        for (int i = 0; i < granted; i++) {
            VisitClient.Outcome o;
            try {
                o = outcomes.get(i).get();
            } catch (ExecutionException e) {
                o = new VisitClient.Outcome(false, 0, null, null, String.valueOf(e.getCause()));
            }
            if (o.delivered()) {
                ok++;
                pulse.publish(new LivePulse.Hit(p.id(), p.userId(), visits.get(i).start().toString(),
                        o.country() != null ? o.country() : visits.get(i).country(), null));
            } else if (firstError == null) {
                firstError = o.error();
            }
        }
        int failedVisits = granted - ok;
        if (failedVisits > 0) {
            campaigns.releaseVisits(p.id(), failedVisits, now);
            log.info("campaign engine: {} of {} visits of project {} failed, e.g. {}", failedVisits, granted, p.id(),
                    firstError);
        }
        if (ok > 0) {
            WalletSpend spend = wallet.spend(p.id(), ok, rate, "campaign-spend:" + p.id() + ":" + UUID.randomUUID());
            if (!spend.charged()) {
                campaigns.changeStatusBySystem(p.id(), ProjectStatus.PAUSED, "The campaign wallet is empty.");
                return new int[] {ok, failedVisits};
            }
        }
        if (failedVisits == 0) {
            completeIfDone(p.id(), reservation);
        }
        return new int[] {ok, failedVisits};
    }

    private void completeIfDone(UUID projectId, VisitReservation reservation) {
        if (reservation.targetReached()) {
            campaigns.changeStatusBySystem(projectId, ProjectStatus.COMPLETED, "The project reached its total target.");
        }
    }

    /** Draws a visit's country, device and page count from the settings. */
    static VisitClient.Visit plan(UUID projectId, CampaignSettings s) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        URI start = s.urls().get(rnd.nextInt(s.urls().size()));
        boolean bounce = rnd.nextInt(100) < s.bounceRate();
        int pages = bounce ? 1 : s.pagesPerVisit();
        return new VisitClient.Visit(projectId.toString(), start, country(s.geoTargets(), rnd.nextDouble()),
                rnd.nextInt(100) < s.desktopPercent(), pages, s.timeOnPage());
    }

    /** The weighted choice of a country for a uniform {@code u} in [0, 1); "" (any country) when there are no targets. */
    static String country(List<CampaignSettings.GeoTarget> targets, double u) {
        long total = targets.stream().mapToLong(CampaignSettings.GeoTarget::weight).sum();
        if (total == 0) {
            return "";
        }
        double point = u * total;
        long acc = 0;
        for (CampaignSettings.GeoTarget t : targets) {
            acc += t.weight();
            if (point < acc) {
                return t.country();
            }
        }
        return targets.getLast().country();
    }
}
