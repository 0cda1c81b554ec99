package io.iploop.gateway.node;

import io.iploop.gateway.routing.Targeting;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.StampedLock;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The connected nodes indexed by country, region, city, ASN, ISP and postal code
 * (docs/exit-quality.md#selection), maintained on join and leave so a selection looks at the
 * smallest matching bucket instead of every node. A bucket is an array with O(1) add, remove
 * (swap with the last) and uniform random access; each node remembers its slot per kind.
 *
 * <p>Thread-safe: a bucket's writes take its write lock; reads ({@link Bucket#random},
 * {@link Bucket#size}) are optimistic and allocation-free, falling back to the read lock only
 * when a write interleaved. Buckets of keys no longer present stay, empty (one per distinct
 * place, ASN or ISP ever seen).
 */
final class NodeIndex {

    /** The dimensions indexed; {@link #ALL} holds every node. */
    enum Kind { ALL, COUNTRY, REGION, CITY, ASN, ISP, ZIP }

    private static final Kind[] KIND_VALUES = Kind.values();
    static final int KINDS = KIND_VALUES.length;

    private static final Bucket NONE = new Bucket();

    private final Bucket all = new Bucket();
    /** The buckets by key, one map per {@link Kind} ordinal (that of {@link Kind#ALL} unused). */
    private final List<Map<Object, Bucket>> byKey;

    NodeIndex() {
        List<Map<Object, Bucket>> maps = new ArrayList<>(KINDS);
        for (int k = 0; k < KINDS; k++) {
            maps.add(new ConcurrentHashMap<>());
        }
        byKey = List.copyOf(maps);
    }

    /**
     * Adds {@code e} to its buckets, once; a no-op once {@link #remove} ran for it (join and leave may race).
     *
     * @return true if this call indexed it
     */
    boolean add(NodeEntry e) {
        synchronized (e) {
            if (e.indexState != NodeEntry.NOT_INDEXED) {
                return false;
            }
            e.indexState = NodeEntry.INDEXED;
            all.add(e, Kind.ALL.ordinal());
            for (int k = 1; k < KINDS; k++) {
                Object key = key(e, k);
                if (key != null) {
                    byKey.get(k).computeIfAbsent(key, x -> new Bucket()).add(e, k);
                }
            }
            return true;
        }
    }

    /**
     * Removes {@code e} from its buckets; idempotent, and keeps a later {@link #add} of it from indexing it.
     *
     * @return true if this call took it out (it was indexed)
     */
    boolean remove(NodeEntry e) {
        synchronized (e) {
            int state = e.indexState;
            e.indexState = NodeEntry.REMOVED;
            if (state != NodeEntry.INDEXED) {
                return false;
            }
            all.remove(e, Kind.ALL.ordinal());
            for (int k = 1; k < KINDS; k++) {
                Object key = key(e, k);
                if (key != null) {
                    Bucket b = byKey.get(k).get(key);
                    if (b != null) {
                        b.remove(e, k);
                    }
                }
            }
            return true;
        }
    }

    /** Nodes indexed. */
    int size() {
        return all.size();
    }

    /**
     * The smallest bucket holding every node that could match {@code t}: the targeted dimension
     * with the fewest nodes, {@link Kind#ALL} when none is targeted, an empty bucket when a
     * targeted value has no node. Its nodes still need {@link Criteria#matches}.
     */
    Bucket bucketFor(Targeting t) {
        return bucketFor(Criteria.of(t));
    }

    /** As {@link #bucketFor(Targeting)}, for criteria already normalised. */
    Bucket bucketFor(Criteria c) {
        Bucket best = all;
        if (c.country() != null) {
            best = smaller(best, Kind.COUNTRY, c.country());
        }
        if (c.region() != null) {
            best = smaller(best, Kind.REGION, c.region());
        }
        if (c.city() != null) {
            best = smaller(best, Kind.CITY, c.city());
        }
        if (c.asn() != null) {
            best = smaller(best, Kind.ASN, c.asn());
        }
        if (c.isp() != null) {
            best = smaller(best, Kind.ISP, c.isp());
        }
        if (c.zip() != null) {
            best = smaller(best, Kind.ZIP, c.zip());
        }
        return best;
    }

    private Bucket smaller(Bucket best, Kind kind, Object key) {
        Bucket b = byKey.get(kind.ordinal()).get(key);
        if (b == null) {
            return NONE;
        }
        return b.size() < best.size() ? b : best;
    }

    /** The bucket of {@code key} in dimension {@code kind} (not {@link Kind#ALL}); an empty one when none. */
    Bucket bucket(Kind kind, Object key) {
        Bucket b = byKey.get(kind.ordinal()).get(key);
        return b == null ? NONE : b;
    }

    /** Every bucket of dimension {@code kind} (not {@link Kind#ALL}) by key, empty ones included; a live view. */
    Map<Object, Bucket> buckets(Kind kind) {
        return byKey.get(kind.ordinal());
    }

    /** The key of {@code e} in dimension {@code kind}, null when it has none there. */
    static @Nullable Object key(NodeEntry e, Kind kind) {
        return key(e, kind.ordinal());
    }

    private static @Nullable Object key(NodeEntry e, int kind) {
        return switch (KIND_VALUES[kind]) {
            case ALL -> null;
            case COUNTRY -> e.countryKey;
            case REGION -> e.regionKey;
            case CITY -> e.cityKey;
            case ASN -> e.admission.asn() == 0 ? null : e.admission.asn();
            case ISP -> e.ispKey;
            case ZIP -> e.zipKey;
        };
    }

    /** The nodes of one key, in no order. Thread-safe (see the class). */
    static final class Bucket {
        private final StampedLock lock = new StampedLock();
        private NodeEntry[] items = new NodeEntry[4];
        private int size;

        void add(NodeEntry e, int kind) {
            long stamp = lock.writeLock();
            try {
                if (size == items.length) {
                    items = Arrays.copyOf(items, size * 2);
                }
                items[size] = e;
                e.slots[kind] = size;
                size++;
            } finally {
                lock.unlockWrite(stamp);
            }
        }

        void remove(NodeEntry e, int kind) {
            long stamp = lock.writeLock();
            try {
                int i = e.slots[kind];
                if (i < size && items[i] == e) {
                    NodeEntry last = items[--size];
                    items[i] = last;
                    last.slots[kind] = i;
                    items[size] = null;
                }
            } finally {
                lock.unlockWrite(stamp);
            }
        }

        int size() {
            long stamp = lock.tryOptimisticRead();
            int n = size;
            if (lock.validate(stamp)) {
                return n;
            }
            stamp = lock.readLock();
            try {
                return size;
            } finally {
                lock.unlockRead(stamp);
            }
        }

        /** A node chosen uniformly at random, null when empty. */
        @Nullable NodeEntry random(RandomGenerator random) {
            long stamp = lock.tryOptimisticRead();
            NodeEntry[] a = items;
            int n = size;
            NodeEntry e = null;
            if (n > 0) {
                int i = random.nextInt(n);
                e = i < a.length ? a[i] : null;
            }
            if (lock.validate(stamp)) {
                return e;
            }
            stamp = lock.readLock();
            try {
                return size == 0 ? null : items[random.nextInt(size)];
            } finally {
                lock.unlockRead(stamp);
            }
        }

        /** A copy of the nodes, for a full scan. */
        NodeEntry[] toArray() {
            long stamp = lock.readLock();
            try {
                return Arrays.copyOf(items, size);
            } finally {
                lock.unlockRead(stamp);
            }
        }
    }
}
