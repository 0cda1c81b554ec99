package io.iploop.server.earn.internal;

import io.iploop.gateway.spi.ConnectedNode;
import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.earn.AdminEarnView;
import io.iploop.server.earn.CreditRun;
import io.iploop.server.earn.DeviceEarning;
import io.iploop.server.earn.EarnBalance;
import io.iploop.server.earn.EarnDevice;
import io.iploop.server.earn.EarnException;
import io.iploop.server.earn.EarnService;
import io.iploop.server.earn.EarnStats;
import io.iploop.server.earn.MultiplierBreakdown;
import io.iploop.server.earn.ReferralCode;
import io.iploop.server.earn.ReferralStats;
import io.iploop.server.earn.ReferredUser;
import io.iploop.server.earn.ReviewFlag;
import io.iploop.server.earn.TierProgress;
import io.iploop.server.earn.TrafficReconciliation;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerCurrency;
import io.iploop.server.ledger.LedgerPage;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.PostedTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import io.iploop.server.nodes.AgentTrafficReport;
import io.iploop.server.nodes.Device;
import io.iploop.server.nodes.DeviceTrafficCounts;
import io.iploop.server.nodes.DeviceRegistration;
import io.iploop.server.nodes.NodesService;
import io.iploop.server.platform.SecureTokens;
import io.iploop.server.usage.UsageService;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The earn service. Crediting runs one database transaction per device-period under a cluster-wide
 * advisory lock and the device's {@code earn_device_state} row lock, re-reading the uncredited
 * contributions under them, which is what makes concurrent runs (threads or instances) credit each
 * contribution exactly once; the ledger idempotency
 * key {@code earn:<device>:<periodStart>} and the {@code (node_id, period_start)} unique key are a
 * second and third guard. Thread-safe.
 */
@Service
class DefaultEarnService implements EarnService {

    private static final Logger log = LoggerFactory.getLogger(DefaultEarnService.class);

    /** Sign-up bonus of a referred user (docs/product/earn.md#referrals: USD 0.50). */
    static final long SIGNUP_BONUS_CREDITS = 500;
    /** Paid bytes a referred operator carries before the referral pays (docs/earn-fraud.md): 2 GB. */
    static final long REFERRAL_QUALIFYING_BYTES = 2 * CreditMath.GB;
    private static final int REFERRAL_CODE_LENGTH = 10;
    static final int MAX_OPEN_DEVICE_FLAGS = 10_000;
    private static final Map<String, Integer> PERIOD_DAYS = Map.of("7d", 7, "30d", 30, "90d", 90, "1y", 365);
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    private final EarnRepository repo;
    private final NodesService nodes;
    private final SharingState sharing;
    private final LedgerService ledger;
    private final AccountsService accounts;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final int ultraRareBelow;
    private final String publicUrl;
    private final boolean trialMultipliers;
    private final EarningsJumps jumps;
    private final LinkedAccounts links;
    private final UsageService usage;

    /**
     * @param ultraRareBelow a country with fewer sharing nodes than this is ultra-rare
     *     (docs/product/earn.md#rare-geography-bonus: 10)
     * @param publicUrl the dashboard's base URL, for referral links
     * @param trialMultipliers whether bytes of free (trial) allowances get the multipliers too; by
     *     default they earn the base rate only (docs/earn-fraud.md)
     */
    DefaultEarnService(EarnRepository repo, NodesService nodes, SharingState sharing, LedgerService ledger,
            AccountsService accounts, TransactionTemplate tx, Clock clock,
            @Value("${iploop.earn.ultra-rare-below-nodes:10}") int ultraRareBelow,
            @Value("${iploop.accounts.public-url:http://127.0.0.1:8080}") String publicUrl,
            @Value("${iploop.earn.trial-multipliers:false}") boolean trialMultipliers, EarningsJumps jumps,
            LinkedAccounts links, UsageService usage) {
        this.repo = repo;
        this.nodes = nodes;
        this.sharing = sharing;
        this.ledger = ledger;
        this.accounts = accounts;
        this.tx = tx;
        this.clock = clock;
        this.ultraRareBelow = ultraRareBelow;
        this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        this.trialMultipliers = trialMultipliers;
        this.jumps = jumps;
        this.links = links;
        this.usage = usage;
    }

    // ------------------------------------------------------------------ devices

    @Override
    public EarnDevice registerDevice(String nodeKey, DeviceRegistration registration) {
        Device d = nodes.registerDevice(nodeKey, registration);
        ensureOperator(d.ownerId());
        return view(d, Map.of(), clock.instant());
    }

    @Override
    public List<EarnDevice> devices(UUID userId) {
        Instant now = clock.instant();
        Map<UUID, EarnRepository.DeviceTotals> totals = repo.deviceTotals(userId, dayStart(now));
        return nodes.devices(userId).stream().map(d -> view(d, totals, now)).toList();
    }

    @Override
    public EarnDevice setPaused(UUID userId, UUID deviceId, boolean paused) {
        Device d = nodes.setPaused(userId, deviceId, paused);
        return single(userId, d);
    }

    @Override
    public EarnDevice rename(UUID userId, UUID deviceId, String name) {
        return single(userId, nodes.renameDevice(userId, deviceId, name));
    }

    @Override
    public void remove(UUID userId, UUID deviceId) {
        nodes.removeDevice(userId, deviceId);
    }

    @Override
    public List<io.iploop.server.earn.DeviceTraffic> traffic(UUID userId, UUID deviceId, @Nullable String from,
            @Nullable String to) {
        nodes.device(userId, deviceId);
        LocalDate[] range = trafficRange(from, to);
        List<io.iploop.server.usage.NodeTrafficCustomers> rows = usage.nodeTrafficCustomers(deviceId, range[0], range[1]);
        // One lookup for every customer of the range; the ids stay here, only categories go out.
        java.util.Set<UUID> ids = new java.util.HashSet<>();
        rows.forEach(r -> ids.addAll(r.customerIds()));
        java.util.Map<UUID, String> useCases = accounts.useCases(ids);
        return rows.stream().map(r -> io.iploop.server.earn.DeviceTraffic.of(r.traffic(), r.customerIds().stream()
                        .map(useCases::get).distinct().sorted().toList()))
                .toList();
    }

    @Override
    public List<TrafficReconciliation> reconciliation(UUID userId, UUID deviceId, @Nullable String from,
            @Nullable String to) {
        LocalDate[] range = trafficRange(from, to);
        List<DeviceTrafficCounts> counts = nodes.trafficCounts(userId, deviceId, range[0], range[1]);
        Map<LocalDate, Long> metered = usage.nodeDailyBytes(deviceId, range[0], range[1]);
        List<TrafficReconciliation> out = new ArrayList<>(counts.size());
        for (DeviceTrafficCounts c : counts.reversed()) {
            Long agent = c.agentBytes();
            out.add(new TrafficReconciliation(c.day(), metered.getOrDefault(c.day(), 0L), c.gatewayBytes(), agent,
                    agent == null ? null : agent - c.gatewayBytes()));
        }
        return out;
    }

    @Override
    public void reportAgentTraffic(String nodeKey, AgentTrafficReport report) {
        nodes.reportAgentTraffic(nodeKey, report);
    }

    /** {@code [first, last]} of a traffic query: defaults, order and length checked (400 naming the field). */
    private LocalDate[] trafficRange(@Nullable String from, @Nullable String to) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate last = day("to", to, today);
        LocalDate first = day("from", from, last.minusDays(6));
        if (first.isAfter(last)) {
            throw new EarnException(EarnException.Reason.INVALID_PARAMETER,
                    "from: " + first + " (expected: on or before to " + last + ")", "from");
        }
        if (first.plusDays(UsageService.MAX_TRAFFIC_DAYS).isBefore(last.plusDays(1))) {
            throw new EarnException(EarnException.Reason.INVALID_PARAMETER, "to: " + last + " (expected: at most "
                    + UsageService.MAX_TRAFFIC_DAYS + " days from " + first + ", both included)", "to");
        }
        return new LocalDate[] {first, last};
    }

    private static LocalDate day(String field, @Nullable String value, LocalDate otherwise) {
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        try {
            return LocalDate.parse(value.strip());
        } catch (java.time.format.DateTimeParseException e) {
            throw new EarnException(EarnException.Reason.INVALID_PARAMETER,
                    field + ": '" + value + "' (expected: a date YYYY-MM-DD)", field);
        }
    }

    private EarnDevice single(UUID userId, Device d) {
        Instant now = clock.instant();
        return view(d, repo.deviceTotals(userId, dayStart(now)), now);
    }

    private static EarnDevice view(Device d, Map<UUID, EarnRepository.DeviceTotals> totals, Instant now) {
        EarnRepository.DeviceTotals t = totals.getOrDefault(d.id(), new EarnRepository.DeviceTotals(0, 0, 0, 0));
        Instant since = d.connectedSince();
        long uptime = since == null ? 0 : Math.max(0, Duration.between(since, now).toSeconds());
        return new EarnDevice(d.id(), d.deviceId(), d.name(), d.installMethod(), d.nodeVersion(), d.country(), d.city(),
                d.status(), since, uptime, t.bytesToday(), t.bytesTotal(), t.creditsToday(), t.creditsTotal(), d.createdAt(),
                d.lastIdClashAt(), d.lastIdClashFrom(), d.moderation(), d.moderationReason(), d.moderationExpiresAt());
    }

    // ------------------------------------------------------------------ crediting

    /** Why geography multipliers are 1.0 everywhere, or null when GeoIP is on. */
    private @Nullable String geoNote() {
        return sharing.geoIpEnabled() ? null
                : "No GeoIP database (IPLOOP_GEOIP_DB) is configured: geography multipliers are 1.0, because the "
                        + "country an agent claims is not evidence (docs/earn-fraud.md).";
    }

    /**
     * The state when the job runs: it keeps each sharing device's continuous-uptime bookkeeping
     * ({@code earn_device_state}) current, and prices contributions recorded before their inputs were.
     */
    private record JobState(SharingState.Snapshot snap, Map<UUID, Instant> longestUptimeByOwner) {}

    private JobState jobState(Instant now) {
        SharingState.Snapshot snap = sharing.read(now);
        Map<UUID, Instant> uptime = sharing.uptimeByNode(snap, snap.networksByOwner().keySet());
        for (ConnectedNode c : snap.sharing()) {
            repo.seen(c.nodeId(), c.ownerUserId(), uptime.get(c.nodeId()), now);
        }
        return new JobState(snap, sharing.longestUptimeByOwner(snap, uptime));
    }

    @Override
    public CreditRun creditUpTo(Instant periodEnd) {
        JobState job = jobState(clock.instant());
        List<EarnRepository.Tier> tiers = repo.tiers();
        Map<String, EarnRepository.Geo> geo = repo.geoMultipliers();
        int devices = 0;
        long bytes = 0;
        long credits = 0;
        long commissions = 0;
        for (UUID node : repo.nodesWithUncredited(periodEnd)) {
            Credited c = tx.execute(status -> creditDevice(node, periodEnd, job, tiers, geo));
            if (c != null) {
                devices++;
                bytes += c.bytes();
                credits += c.credits();
                commissions += c.commission();
            }
        }
        return new CreditRun(periodEnd, devices, bytes, credits, commissions);
    }

    private record Credited(long bytes, long credits, long commission) {}

    private record PaidInterval(Instant start, long credits, long earningId) {}

    /**
     * A contribution's multipliers, priced from its inputs: the factors, the geography class and the
     * inputs shown with them. Equal prices make one credited interval.
     */
    private record Price(BigDecimal device, BigDecimal uptime, BigDecimal geo, String geoTier,
            @Nullable Integer countedDevices, @Nullable String country) {

        BigDecimal multiplier() {
            return device.multiply(uptime).multiply(geo);
        }
    }

    /** The multipliers of bytes carried at {@code at} under {@code inputs} (docs/product/earn.md#multipliers). */
    private Price price(MultiplierInputs inputs, Instant at, Map<String, EarnRepository.Geo> geoTable) {
        String country = inputs.country();
        EarnRepository.Geo listed = country == null ? null : geoTable.get(country);
        long inCountry = inputs.countrySharingNodes() == null ? 0 : inputs.countrySharingNodes();
        return new Price(CreditMath.plain(CreditMath.deviceMultiplier(inputs.countedDevices())),
                CreditMath.plain(CreditMath.uptimeMultiplier(inputs.uptimeSince(), at)),
                CreditMath.plain(CreditMath.geoMultiplier(country, listed == null ? null : listed.multiplier(), inCountry,
                        ultraRareBelow)),
                geoTier(country, listed, inCountry), inputs.countedDevices(), country);
    }

    /** Consecutive contributions of one price, credited as one interval starting at {@code start}. */
    private record Interval(Instant start, Price price, List<EarnRepository.Uncredited> rows) {}

    /**
     * Splits a device-period's contributions (in carry order) into intervals of one price each. The
     * first starts at the period's start, each later one when its first contribution was recorded
     * (one microsecond after the previous start if two were recorded in the same microsecond, the
     * database's resolution); contributions that would start an interval at or after
     * {@code periodEnd} wait for the next period.
     */
    private List<Interval> intervals(List<EarnRepository.Uncredited> rows, Instant periodStart, Instant periodEnd,
            java.util.function.Function<EarnRepository.Uncredited, Price> pricing) {
        List<Interval> out = new ArrayList<>();
        for (EarnRepository.Uncredited r : rows) {
            Price p = pricing.apply(r);
            Interval last = out.isEmpty() ? null : out.getLast();
            if (last != null && last.price().equals(p)) {
                last.rows().add(r);
                continue;
            }
            Instant start = last == null ? periodStart : r.recordedAt().isAfter(last.start()) ? r.recordedAt()
                    : last.start().plusNanos(1000);
            if (!start.isBefore(periodEnd)) {
                break;
            }
            List<EarnRepository.Uncredited> list = new ArrayList<>();
            list.add(r);
            out.add(new Interval(start, p, list));
        }
        return out;
    }

    /**
     * One device-period in the caller's transaction, as one credited row per interval of one price;
     * null when there was nothing (left) to credit.
     */
    private @Nullable Credited creditDevice(UUID node, Instant periodEnd, JobState job, List<EarnRepository.Tier> tiers,
            Map<String, EarnRepository.Geo> geoTable) {
        Optional<UUID> ownerOf = repo.uncreditedOwner(node, periodEnd);
        if (ownerOf.isEmpty()) {
            return null;
        }
        UUID owner = ownerOf.get();
        // One crediting transaction at a time, cluster-wide: its two postings (credit, commission)
        // lock ledger accounts in two steps, which would let two such transactions deadlock.
        repo.lockCrediting();
        // The state row lock serialises crediting of this device; re-read the contributions under it.
        EarnRepository.DeviceState state = repo.lockState(node, owner);
        List<EarnRepository.Uncredited> rows = repo.lockUncredited(node, periodEnd);
        if (rows.isEmpty()) {
            return null;
        }
        Instant periodStart = state.creditedUntil() != null ? state.creditedUntil()
                : rows.stream().map(EarnRepository.Uncredited::recordedAt).min(Instant::compareTo).orElseThrow();
        if (!periodEnd.isAfter(periodStart)) {
            // Asked to credit up to an instant already credited: late rows wait for a later period.
            return null;
        }
        ensureOperator(owner);
        EarnRepository.Operator operator = repo.lockOperator(owner);
        EarnRepository.Tier tier = tiers.stream().filter(t -> t.name().equals(operator.tier())).findFirst().orElseThrow();
        Device device = nodes.devicesById(List.of(node)).get(node);
        String name = device != null && device.name() != null ? device.name()
                : device != null ? device.deviceId() : node.toString();

        // Rows recorded before their inputs were: priced by the state now, as they always were.
        String countryNow = sharing.countries(job.snap(), List.of(node)).get(node);
        MultiplierInputs legacyInputs = new MultiplierInputs(job.snap().countedDevices(owner), countryNow,
                countryNow == null ? null : job.snap().inCountry(countryNow), job.longestUptimeByOwner().get(owner));
        List<Interval> intervals = intervals(rows, periodStart, periodEnd, r -> r.inputs() != null
                ? price(r.inputs(), r.recordedAt(), geoTable)
                : price(legacyInputs, job.snap().at(), geoTable));

        BigDecimal carry = state.carry();
        long bytes = 0;
        long earningBytes = 0;
        long credits = 0;
        List<PaidInterval> paid = new ArrayList<>();
        for (int i = 0; i < intervals.size(); i++) {
            Interval iv = intervals.get(i);
            Instant start = iv.start();
            Instant end = i + 1 < intervals.size() ? intervals.get(i + 1).start() : periodEnd;
            long ivBytes = iv.rows().stream().mapToLong(EarnRepository.Uncredited::bytes).sum();
            long paidBytes = iv.rows().stream().filter(r -> r.payment() == ContributionPayment.PAID)
                    .mapToLong(EarnRepository.Uncredited::bytes).sum();
            long trialBytes = iv.rows().stream().filter(r -> r.payment() == ContributionPayment.TRIAL)
                    .mapToLong(EarnRepository.Uncredited::bytes).sum();
            BigDecimal multiplier = iv.price().multiplier();
            BigDecimal trialMultiplier = trialMultipliers ? multiplier : BigDecimal.ONE;
            BigDecimal base = CreditMath.baseCredits(paidBytes + trialBytes, tier.rate());
            CreditMath.Split split = CreditMath.credits(paidBytes, trialBytes, tier.rate(), multiplier, trialMultiplier,
                    carry);

            String key = "earn:" + node + ":" + start;
            @Nullable UUID txId = null;
            if (split.credits() > 0) {
                PostedTransaction posted = ledger.post(NewTransaction.of(TransactionKind.EARN_CREDIT, key,
                        "Bandwidth " + name + ": " + CreditMath.gigabytes(ivBytes).toPlainString() + " GB, "
                                + MINUTE.format(start) + " to " + MINUTE.format(end) + " UTC",
                        Posting.credits(ledger.account(owner, AccountPurpose.OPERATOR_EARNINGS).id(), split.credits()),
                        Posting.credits(ledger.platformAccount(AccountPurpose.EARN_ISSUED).id(), -split.credits()))
                        .withMetadata(Map.of("deviceId", node.toString(), "periodStart", start.toString(),
                                "periodEnd", end.toString(), "bytes", Long.toString(ivBytes),
                                "multiplier", multiplier.toPlainString(), "paidBytes", Long.toString(paidBytes),
                                "trialBytes", Long.toString(trialBytes))));
                if (posted.replayed()) {
                    // Cannot happen under the row lock; if it ever does, the ledger already has it.
                    log.warn("earn credit {} was posted before; not crediting again", key);
                    return null;
                }
                txId = posted.id();
            }
            Price p = iv.price();
            Optional<Long> earningId = repo.insertEarning(new EarnRepository.NewEarning(node, owner, start, end, ivBytes,
                    tier.name(), tier.rate(), base, p.device(), p.uptime(), p.geo(), p.geoTier(), multiplier, carry,
                    split.credits(), split.carry(), txId, paidBytes, trialBytes, ivBytes - paidBytes - trialBytes,
                    p.countedDevices(), p.country(), trialMultiplier));
            if (earningId.isEmpty()) {
                throw new IllegalStateException("device period " + key + " exists already");
            }
            repo.markCredited(iv.rows().stream().map(EarnRepository.Uncredited::id).toList(), earningId.get());
            if (split.credits() > 0) {
                paid.add(new PaidInterval(start, split.credits(), earningId.get()));
            }
            carry = split.carry();
            bytes += ivBytes;
            earningBytes += paidBytes + trialBytes;
            credits += split.credits();
        }
        repo.creditedUntil(node, periodEnd, carry);

        // Only traffic someone paid for counts towards the tier (docs/earn-fraud.md).
        long lifetime = operator.lifetimeBytes() + earningBytes;
        EarnRepository.Tier reached = tierFor(tiers, lifetime, tier);
        repo.addLifetime(owner, earningBytes, reached.name(), reached.rank() != tier.rank());
        if (lifetime >= REFERRAL_QUALIFYING_BYTES) {
            qualifyReferral(owner);
        }
        if (credits > 0) {
            jumps.check(owner, node, credits, periodEnd);
        }
        // After qualifying: the period that qualified a referral pays its commission.
        long commission = 0;
        for (PaidInterval p : paid) {
            commission += payCommission(owner, node, p.start(), p.credits(), p.earningId());
        }
        return new Credited(bytes, credits, commission);
    }

    /** The referrer's 10 % of {@code credits}, with the referral's carried fraction (docs/product/earn.md#referrals). */
    private long payCommission(UUID referee, UUID node, Instant periodStart, long credits, long earningId) {
        Optional<EarnRepository.Referral> found = repo.lockReferralOf(referee);
        if (found.isEmpty()) {
            return 0;
        }
        EarnRepository.Referral referral = found.get();
        if (!repo.referralQualified(referral.id())) {
            return 0;
        }
        CreditMath.Split split = CreditMath.commission(credits, referral.commissionCarry());
        @Nullable UUID txId = null;
        if (split.credits() > 0) {
            txId = ledger.post(NewTransaction.of(TransactionKind.REFERRAL_COMMISSION, "referral:" + node + ":" + periodStart,
                    "Referral commission: 10 % of a referred operator's " + credits + " credits",
                    Posting.credits(ledger.account(referral.referrerId(), AccountPurpose.OPERATOR_EARNINGS).id(), split.credits()),
                    Posting.credits(ledger.platformAccount(AccountPurpose.EARN_ISSUED).id(), -split.credits()))
                    .withMetadata(Map.of("refereeId", referee.toString(), "deviceId", node.toString(),
                            "periodStart", periodStart.toString(), "refereeCredits", Long.toString(credits)))).id();
        }
        repo.addToReferral(referral.id(), credits, split.credits(), split.carry());
        repo.setCommission(earningId, referral.referrerId(), split.credits(), txId);
        return split.credits();
    }

    /** The highest tier whose threshold {@code lifetimeBytes} reached, never below {@code current}. */
    static EarnRepository.Tier tierFor(List<EarnRepository.Tier> tiers, long lifetimeBytes, EarnRepository.Tier current) {
        EarnRepository.Tier best = current;
        BigDecimal bytes = BigDecimal.valueOf(lifetimeBytes);
        for (EarnRepository.Tier t : tiers) {
            if (t.rank() > best.rank() && bytes.compareTo(t.minGb().multiply(CreditMath.BYTES_PER_GB)) >= 0) {
                best = t;
            }
        }
        return best;
    }

    private String geoTier(@Nullable String country, EarnRepository.@Nullable Geo listed, long inCountry) {
        if (country != null && inCountry < ultraRareBelow) {
            return "ultra-rare";
        }
        return listed == null ? "unlisted" : listed.tier();
    }

    // ------------------------------------------------------------------ reading

    @Override
    public EarnBalance balance(UUID userId) {
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        Instant day = dayStart(now);
        Instant week = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant month = today.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = now.plus(Duration.ofDays(1));
        long credits = ledger.account(userId, AccountPurpose.OPERATOR_EARNINGS).credits();
        long reserved = ledger.account(userId, AccountPurpose.CASHOUT_RESERVED).credits();
        return new EarnBalance(credits, usd(credits), reserved, earned(userId, day, end), earned(userId, week, end),
                earned(userId, month, end), tier(userId), multipliers(userId));
    }

    private EarnBalance.Earned earned(UUID userId, Instant from, Instant to) {
        long c = repo.creditsEarned(userId, from, to);
        return new EarnBalance.Earned(c, usd(c));
    }

    private TierProgress tier(UUID userId) {
        ensureOperator(userId);
        EarnRepository.Operator op = repo.operator(userId).orElseThrow();
        List<EarnRepository.Tier> tiers = repo.tiers();
        EarnRepository.Tier current = tiers.stream().filter(t -> t.name().equals(op.tier())).findFirst().orElseThrow();
        EarnRepository.Tier next = tiers.stream().filter(t -> t.rank() > current.rank()).findFirst().orElse(null);
        BigDecimal gb = CreditMath.gigabytes(op.lifetimeBytes());
        if (next == null) {
            return new TierProgress(current.name(), current.rate(), CreditMath.plain(current.rate()
                    .multiply(CreditMath.CREDITS_PER_USD)), current.bonus(), gb, null, null, null, 100);
        }
        BigDecimal toNext = next.minGb().subtract(gb).max(BigDecimal.ZERO);
        BigDecimal span = next.minGb().subtract(current.minGb());
        int percent = span.signum() <= 0 ? 100 : gb.subtract(current.minGb()).max(BigDecimal.ZERO)
                .multiply(BigDecimal.valueOf(100)).divide(span, 0, RoundingMode.DOWN).min(BigDecimal.valueOf(100)).intValue();
        return new TierProgress(current.name(), current.rate(), CreditMath.plain(current.rate()
                .multiply(CreditMath.CREDITS_PER_USD)), current.bonus(), gb, next.name(), CreditMath.plain(next.minGb()),
                CreditMath.plain(toNext), percent);
    }

    @Override
    public LedgerPage history(UUID userId, int page, int limit) {
        if (page < 1) {
            throw new EarnException(EarnException.Reason.INVALID_PARAMETER, "page: " + page + " (expected: >= 1)", "page");
        }
        if (limit < 1 || limit > 100) {
            throw new EarnException(EarnException.Reason.INVALID_PARAMETER, "limit: " + limit + " (expected: 1-100)", "limit");
        }
        return ledger.history(ledger.account(userId, AccountPurpose.OPERATOR_EARNINGS).id(), page, limit);
    }

    @Override
    public EarnStats stats(UUID userId, String period) {
        Integer days = PERIOD_DAYS.get(period);
        if (days == null) {
            throw new EarnException(EarnException.Reason.INVALID_PARAMETER,
                    "period: '" + period + "' (expected: 7d, 30d, 90d or 1y)", "period");
        }
        LocalDate to = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate from = to.minusDays(days - 1L);
        List<EarnStats.Day> series = repo.daily(userId, from, to).stream()
                .map(r -> new EarnStats.Day(r.day(), r.bytes(), r.credits())).toList();
        return new EarnStats(period, from, to, series.stream().mapToLong(EarnStats.Day::bytes).sum(),
                series.stream().mapToLong(EarnStats.Day::credits).sum(), series);
    }

    @Override
    public MultiplierBreakdown multipliers(UUID userId) {
        Instant now = clock.instant();
        SharingState.Snapshot snap = sharing.read(now);
        Set<UUID> mine = new HashSet<>();
        snap.sharing().stream().filter(c -> c.ownerUserId().equals(userId)).forEach(c -> mine.add(c.nodeId()));
        Instant longest = sharing.longestUptimeByOwner(snap, sharing.uptimeByNode(snap, Set.of(userId))).get(userId);
        int counted = snap.countedDevices(userId);
        BigDecimal device = CreditMath.deviceMultiplier(counted);
        BigDecimal uptime = CreditMath.uptimeMultiplier(longest, now);
        BigDecimal operatorTotal = device.multiply(uptime);
        Map<String, EarnRepository.Geo> table = repo.geoMultipliers();
        List<Device> myDevices = nodes.devices(userId);
        Map<UUID, String> countries = sharing.countries(snap, myDevices.stream().map(Device::id).toList());
        List<MultiplierBreakdown.DeviceMultiplier> perDevice = new ArrayList<>();
        for (Device d : myDevices) {
            String country = countries.get(d.id());
            EarnRepository.Geo listed = country == null ? null : table.get(country);
            long inCountry = snap.inCountry(country);
            BigDecimal geo = CreditMath.geoMultiplier(country, listed == null ? null : listed.multiplier(), inCountry,
                    ultraRareBelow);
            perDevice.add(new MultiplierBreakdown.DeviceMultiplier(d.id(), d.name(), country, geo,
                    geoTier(country, listed, inCountry), operatorTotal.multiply(geo)));
        }
        return new MultiplierBreakdown(mine.size(), device, uptime, longest, operatorTotal, perDevice, counted,
                geoNote());
    }

    @Override
    public List<DeviceEarning> earnings(UUID userId, int limit) {
        if (limit < 1 || limit > 100_000) {
            throw new EarnException(EarnException.Reason.INVALID_PARAMETER, "limit: " + limit + " (expected: 1-100000)",
                    "limit");
        }
        return named(repo.earnings(userId, limit));
    }

    /** The rows with their devices' current names from the nodes feature (one lookup for all rows). */
    private List<DeviceEarning> named(List<DeviceEarning> rows) {
        Map<UUID, Device> devices = nodes.devicesById(rows.stream().map(DeviceEarning::deviceId).distinct().toList());
        return rows.stream().map(e -> {
            Device d = devices.get(e.deviceId());
            return d == null ? e : e.withDeviceName(d.name());
        }).toList();
    }

    // ------------------------------------------------------------------ referrals

    /** The user's earn row with a referral code, created on first use. */
    private void ensureOperator(UUID userId) {
        if (repo.operator(userId).isEmpty()) {
            repo.ensureOperator(userId, SecureTokens.randomBase32(REFERRAL_CODE_LENGTH).toUpperCase(Locale.ROOT));
        }
    }

    /**
     * Records that {@code refereeId} signed up with {@code code}, in the caller's transaction. The
     * referral waits to qualify ({@link #qualifyReferral}); nothing is paid yet (docs/earn-fraud.md).
     *
     * @throws EarnException {@code INVALID_REFERRAL_CODE} (field {@code ref})
     */
    void registered(UUID refereeId, @Nullable String code) {
        ensureOperator(refereeId);
        if (code == null || code.isBlank()) {
            return;
        }
        String normalized = code.strip().toUpperCase(Locale.ROOT);
        EarnRepository.Operator referrer = repo.operatorByCode(normalized)
                .filter(op -> !op.userId().equals(refereeId))
                .orElseThrow(() -> new EarnException(EarnException.Reason.INVALID_REFERRAL_CODE,
                        "ref: no operator has the referral code '" + code.strip() + "'", "ref"));
        repo.insertReferral(UUID.randomUUID(), referrer.userId(), refereeId, normalized);
        repo.setReferredBy(refereeId, referrer.userId());
    }

    /**
     * Qualifies the referee's pending referral, in the caller's transaction, once the referee has
     * real paid usage (docs/earn-fraud.md): a referral between {@link LinkedAccounts linked accounts}
     * is refused and pays nothing ever; otherwise the referee gets the 500-credit sign-up bonus
     * (idempotency key {@code referral-signup:<referee>}) and the referrer earns commissions from now
     * on. A no-op without a pending referral.
     */
    void qualifyReferral(UUID refereeId) {
        Optional<UUID[]> pending = repo.lockPendingReferral(refereeId);
        if (pending.isEmpty()) {
            return;
        }
        UUID referralId = pending.get()[0];
        UUID referrerId = pending.get()[1];
        if (links.link(referrerId, refereeId).isPresent()) {
            repo.setQualification(referralId, "refused");
            log.info("referral of {} by {} refused: the accounts are linked", refereeId, referrerId);
            return;
        }
        repo.setQualification(referralId, "qualified");
        repo.lockCrediting();
        ledger.post(NewTransaction.of(TransactionKind.REFERRAL_SIGNUP_BONUS, "referral-signup:" + refereeId,
                "Sign-up bonus for joining with a referral code",
                Posting.credits(ledger.account(refereeId, AccountPurpose.OPERATOR_EARNINGS).id(), SIGNUP_BONUS_CREDITS),
                Posting.credits(ledger.platformAccount(AccountPurpose.EARN_ISSUED).id(), -SIGNUP_BONUS_CREDITS))
                .withMetadata(Map.of("referrerId", referrerId.toString())));
    }

    @Override
    public ReferralCode referralCode(UUID userId) {
        ensureOperator(userId);
        String code = repo.operator(userId).orElseThrow().referralCode();
        return new ReferralCode(code, publicUrl + "/register?ref=" + code);
    }

    @Override
    public ReferralStats referralStats(UUID userId) {
        String code = referralCode(userId).code();
        List<EarnRepository.Referral> referrals = repo.referralsBy(userId);
        long earned = referrals.stream().mapToLong(EarnRepository.Referral::refereeTotalEarnings).sum();
        long commission = referrals.stream().mapToLong(EarnRepository.Referral::referrerTotalCommission).sum();
        return new ReferralStats(code, referrals.size(), earned, commission, usd(commission));
    }

    @Override
    public List<ReferredUser> referrals(UUID userId) {
        List<ReferredUser> out = new ArrayList<>();
        for (EarnRepository.Referral r : repo.referralsBy(userId)) {
            Optional<Account> a = accounts.find(r.refereeId());
            out.add(new ReferredUser(a.map(x -> initial(x.firstName()) + " " + initial(x.lastName())).orElse("***"),
                    a.map(x -> maskEmail(x.email())).orElse("***"), r.createdAt(), r.status(), r.refereeTotalEarnings(),
                    r.referrerTotalCommission()));
        }
        return out;
    }

    @Override
    public Optional<UUID> referralCodeOwner(String code) {
        String normalized = code.strip().toUpperCase(Locale.ROOT);
        return normalized.isEmpty() ? Optional.empty() : repo.operatorByCode(normalized).map(EarnRepository.Operator::userId);
    }

    @Override
    public Optional<UUID> referrerOf(UUID userId) {
        return repo.referrerUnlessRefused(userId);
    }

    @Override
    public Optional<String> linkBetween(UUID a, UUID b) {
        return links.link(a, b);
    }

    static String initial(String name) {
        String s = name.strip();
        return s.isEmpty() ? "***" : s.substring(0, s.offsetByCodePoints(0, 1)) + "***";
    }

    static String maskEmail(String email) {
        return io.iploop.server.platform.EmailAddress.mask(email);
    }

    // ------------------------------------------------------------------ admin

    @Override
    public AdminEarnView adminView(UUID userId) {
        Account account = accounts.find(userId).orElseThrow(() -> new EarnException(EarnException.Reason.USER_NOT_FOUND,
                "no user " + userId, "id"));
        return new AdminEarnView(userId, account.email(), balance(userId), devices(userId), named(repo.earnings(userId, 50)),
                referralStats(userId), geoNote(), jumps.open(userId));
    }

    @Override
    public List<ReviewFlag> openReviewFlags(UUID userId) {
        return jumps.open(userId);
    }

    @Override
    public List<ReviewFlag> openDeviceReviewFlags() {
        return jumps.openDeviceFlags(MAX_OPEN_DEVICE_FLAGS);
    }

    @Override
    public List<ReviewFlag> clearReviewFlags(UUID adminId, UUID userId, @Nullable String note) {
        return tx.execute(status -> jumps.clear(adminId, userId, note == null || note.isBlank() ? null : note.strip()));
    }

    // ------------------------------------------------------------------ helpers

    private static BigDecimal usd(long credits) {
        return BigDecimal.valueOf(credits).multiply(LedgerCurrency.USD_PER_CREDIT).setScale(3, RoundingMode.UNNECESSARY);
    }

    private static Instant dayStart(Instant now) {
        return LocalDate.ofInstant(now, ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
