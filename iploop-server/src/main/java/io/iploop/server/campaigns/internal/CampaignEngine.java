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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import net.javacrumbs.shedlock.core.LockExtender;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The visit engine (docs/campaigns.md#engine). One {@link #tick} (the leader-elected job
 * {@code campaigns-engine}) takes every runnable project whose schedule allows now, reserves
 * {@link #concurrency} visits of it in the database, sends them in parallel on virtual threads through
 * the platform's own gateway as the owner's traffic, counts each delivered visit in a durable batch,
 * gives back the visits that failed, charges the owner's wallet for the delivered ones in one spend
 * keyed by the batch, publishes one pulse hit per delivered visit, and completes or pauses the project
 * when its target is reached or its wallet cannot pay. A round first finishes the batches a crashed
 * round left open. Runs are serialised by the jobs lock, which a round renews while it lasts;
 * thread-safe.
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
    private final Duration lockAtMostFor;
    private final VisitBatchRepository batches;
    private final TransactionTemplate tx;
    /** {@code iploop.campaigns.engine.gateway} as host and port; null: the local gateway. */
    private final @Nullable GatewayAddress gateway;
    /** Times the round renewed its jobs lock (for tests and logs). */
    final AtomicLong lockExtensions = new AtomicLong();
    /** Tests only: called at each {@link Stage}; throwing simulates a crash there. Null in production. */
    volatile @Nullable Consumer<Stage> faultHook;
    /**
     * Tests only: the TLS context of the visits' HTTP client (a test trusting its self-signed
     * origin); null in production, where the JDK's default trust store applies.
     */
    volatile @Nullable SSLContext sslContext;

    CampaignEngine(CampaignsService campaigns, CampaignWalletService wallet, OwnerProxyAccess access, LivePulse pulse,
            DataPlane dataPlane, IploopProperties properties,
            @Value("${iploop.campaigns.engine.max-concurrency:50}") int maxConcurrency,
            @Value("${iploop.campaigns.engine.info-url:}") String infoUrl,
            @Value("${iploop.campaigns.engine.request-timeout:20s}") Duration requestTimeout,
            @Value("${iploop.campaigns.engine.lock-at-most-for:60s}") Duration lockAtMostFor,
            @Value("${iploop.campaigns.engine.gateway:}") String gateway,
            VisitBatchRepository batches, PlatformTransactionManager txManager) {
        if (lockAtMostFor.compareTo(Duration.ofSeconds(3)) < 0) {
            throw new IllegalArgumentException("iploop.campaigns.engine.lock-at-most-for must be at least 3 seconds");
        }
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
        this.lockAtMostFor = lockAtMostFor;
        this.batches = batches;
        this.tx = new TransactionTemplate(txManager);
        this.gateway = GatewayAddress.parse(gateway);
    }

    /**
     * A gateway's HTTP proxy listener the visits go through instead of the local one: on a
     * {@code --role=control-plane} process, which has no gateway of its own (docs/campaigns.md#engine).
     */
    record GatewayAddress(String host, int port) {
        /**
         * @param text {@code host:port} (an IPv6 literal in brackets), or blank for none
         * @throws IllegalArgumentException naming the setting and what is wrong
         */
        static @Nullable GatewayAddress parse(String text) {
            String t = text.strip();
            if (t.isEmpty()) {
                return null;
            }
            int colon = t.lastIndexOf(':');
            String host = colon > 0 ? t.substring(0, colon) : "";
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = colon > 0 ? Integer.parseInt(t.substring(colon + 1)) : -1;
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (host.isEmpty() || port < 1 || port > 65535) {
                throw new IllegalArgumentException("iploop.campaigns.engine.gateway (IPLOOP_CAMPAIGNS_ENGINE_GATEWAY) must be"
                        + " host:port of a gateway's HTTP proxy listener, got '" + text + "'");
            }
            return new GatewayAddress(host, port);
        }
    }

    /**
     * Where a round's visits go: the configured gateway if any (resolved now, so a balancer's changed
     * DNS name is followed), else this process's own gateway, else nowhere (null).
     */
    static @Nullable InetSocketAddress proxyAddress(@Nullable GatewayAddress configured, Optional<DataPlane.Ports> local) {
        if (configured != null) {
            return new InetSocketAddress(configured.host(), configured.port());
        }
        return local.map(p -> new InetSocketAddress("127.0.0.1", p.httpProxy())).orElse(null);
    }

    /** How long the jobs lock of {@code campaigns-engine} holds without renewal (docs/campaigns.md#engine). */
    Duration lockAtMostFor() {
        return lockAtMostFor;
    }

    /** Renews the jobs lock held by the calling thread for another {@link #lockAtMostFor}. */
    private void extendLock() {
        try {
            LockExtender.extendActiveLock(lockAtMostFor, Duration.ZERO);
            lockExtensions.incrementAndGet();
        } catch (LockExtender.NoActiveLockException e) {
            // Run without the jobs lock (a direct call): nothing to renew.
        } catch (LockExtender.LockCanNotBeExtendedException e) {
            // Another instance may take over; the batches' compare-and-set keeps money right.
            log.warn("campaign engine: the jobs lock could not be renewed: {}", e.getMessage());
        }
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
        InetSocketAddress proxy = proxyAddress(gateway, dataPlane.ports());
        if (proxy == null) {
            return "no local gateway and no iploop.campaigns.engine.gateway: no visits sent";
        }
        if (proxy.isUnresolved()) {
            return "iploop.campaigns.engine.gateway " + proxy.getHostString() + " does not resolve: no visits sent";
        }
        int recovered = recover(now);
        VisitClient client = new VisitClient(proxy, infoUrl, requestTimeout, sslContext);
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
            projects.shutdown();
            // A round lasts as long as its slowest visit (up to hours); the lock is short and renewed
            // while the round runs, so a dead leader's lock lapses within lockAtMostFor.
            try {
                while (!projects.awaitTermination(lockAtMostFor.dividedBy(3).toMillis(), TimeUnit.MILLISECONDS)) {
                    extendLock();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return runnable.size() + " projects, " + delivered.get() + " visits delivered, " + failed.get() + " failed"
                + (recovered > 0 ? ", " + recovered + " unfinished batches of an earlier round settled" : "");
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
        int wanted = (int) Math.min(n, affordable);
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
        // The reservation and the batch that will count and charge its visits commit together.
        UUID batchId = UUID.randomUUID();
        VisitReservation reservation = tx.execute(st -> {
            VisitReservation r = campaigns.reserveVisits(p.id(), wanted, now);
            if (r.granted() > 0) {
                batches.insert(batchId, p.id(), r.granted(), rate, now);
            }
            return r;
        });
        if (reservation == null || reservation.granted() == 0) {
            if (reservation != null) {
                completeIfDone(p.id(), reservation);
            }
            return new int[] {0, 0};
        }
        int granted = reservation.granted();
        List<Future<VisitClient.Outcome>> outcomes = new ArrayList<>(granted);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < granted; i++) {
                VisitClient.Visit v = plan(p.id(), s);
                outcomes.add(pool.submit(() -> {
                    VisitClient.Outcome o = client.visit(v, creds.customerId(), creds.key());
                    // Counted in the database the moment the site answered: a crash after this line
                    // still charges this visit, and a visit whose batch was settled meanwhile is free.
                    if (o.delivered() && batches.countDelivered(batchId)) {
                        pulse.publish(new LivePulse.Hit(p.id(), p.userId(), v.start().toString(),
                                o.country() != null ? o.country() : v.country(), null));
                        return o;
                    }
                    return o.delivered() ? new VisitClient.Outcome(false, 0, null, null, "batch settled meanwhile") : o;
                }));
            }
        }
        String firstError = null;
        for (Future<VisitClient.Outcome> f : outcomes) {
            try {
                VisitClient.Outcome o = f.get();
                if (!o.delivered() && firstError == null) {
                    firstError = o.error();
                }
            } catch (ExecutionException e) {
                if (firstError == null) {
                    firstError = String.valueOf(e.getCause());
                }
            }
        }
        fault(Stage.SENT);
        Settlement done = settleAndCharge(batchId, Instant.now());
        if (done.failed() > 0) {
            log.info("campaign engine: {} of {} visits of project {} failed, e.g. {}", done.failed(), granted, p.id(),
                    firstError);
        }
        if (done.unpaid()) {
            return new int[] {done.delivered(), done.failed()};
        }
        if (done.failed() == 0) {
            completeIfDone(p.id(), reservation);
        }
        return new int[] {done.delivered(), done.failed()};
    }

    /** What finishing a batch did: visits charged, visits given back, whether the wallet could not pay. */
    record Settlement(int delivered, int failed, boolean unpaid) {}

    /**
     * Finishes a batch, whatever state a crash left it in (docs/campaigns.md#charging-exactly-once):
     * {@code sending -> settled} gives the undelivered visits back in the same transaction, then one
     * wallet spend of the delivered visits with the key {@code campaign-spend:<project>:batch:<id>}
     * ({@code settled -> charged}, or {@code unpaid} and the project paused). Calling it again, on any
     * instance, after a crash at any point charges nothing more: the settle is compare-and-set and the
     * ledger replays the key.
     */
    Settlement settleAndCharge(UUID batchId, Instant now) {
        VisitBatchRepository.Batch b = tx.execute(st -> {
            Optional<VisitBatchRepository.Batch> settled = batches.settle(batchId, now);
            settled.ifPresent(x -> campaigns.releaseVisits(x.projectId(), x.reserved() - x.delivered(), x.reservedAt()));
            return settled.or(() -> batches.find(batchId)).orElse(null);
        });
        if (b == null || !(b.state().equals("settled") || b.state().equals("sending"))) {
            return new Settlement(b == null ? 0 : b.delivered(), b == null ? 0 : b.reserved() - b.delivered(),
                    b != null && b.state().equals("unpaid"));
        }
        fault(Stage.SETTLED);
        int failedVisits = b.reserved() - b.delivered();
        if (b.delivered() == 0) {
            batches.finish(batchId, true, null);
            return new Settlement(0, failedVisits, false);
        }
        WalletSpend spend = wallet.spend(b.projectId(), b.delivered(), b.rate(),
                "campaign-spend:" + b.projectId() + ":batch:" + batchId);
        fault(Stage.CHARGED);
        batches.finish(batchId, spend.charged(), spend.transactionId());
        if (!spend.charged()) {
            campaigns.changeStatusBySystem(b.projectId(), ProjectStatus.PAUSED, "The campaign wallet is empty.");
            return new Settlement(b.delivered(), failedVisits, true);
        }
        return new Settlement(b.delivered(), failedVisits, false);
    }

    /**
     * Finishes the batches an earlier round left open (a crash, a lost lock). Runs at the start of a
     * round, under the jobs lock, so no other round is sending them (docs/campaigns.md#charging-exactly-once).
     *
     * @return how many batches were finished
     */
    int recover(Instant now) {
        int n = 0;
        for (VisitBatchRepository.Batch b : batches.open()) {
            try {
                settleAndCharge(b.id(), now);
                n++;
            } catch (RuntimeException e) {
                log.warn("campaign engine: could not finish visit batch {} of project {}", b.id(), b.projectId(), e);
            }
        }
        return n;
    }

    /** Points where tests simulate a crash (docs/campaigns.md#charging-exactly-once). */
    enum Stage {
        /** The round's visits were sent and counted; the batch is still {@code sending}. */
        SENT,
        /** The batch is settled; the wallet is not charged yet. */
        SETTLED,
        /** The wallet was charged; the batch is not marked charged yet. */
        CHARGED
    }

    private void fault(Stage stage) {
        Consumer<Stage> hook = faultHook;
        if (hook != null) {
            hook.accept(stage);
        }
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
