package io.rusm.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;

import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Leases in a Hazelcast map, for clusters without a shared database. Each change runs as an entry
 * processor on the partition's owner (atomic per name, that member's clock). Weaker than
 * {@link JdbcLeaseStore}: Hazelcast CE is AP, so during a split both sides may hand out epochs; the
 * lease still keeps a frozen owner from acting, but no store fences writes. Services with durable
 * state use the JDBC store.
 */
public final class HazelcastLeaseStore implements LeaseStore {
    static final String MAP = "rusm.leases";
    private final IMap<String, Lease> map;

    public HazelcastLeaseStore(HazelcastInstance hazelcast) {
        this.map = hazelcast.getMap(MAP);
    }

    /** One name's entry. */
    public record Lease(long epoch, String owner, long until) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    @Override
    public OptionalLong acquire(String name, String owner, Duration lease) {
        long epoch = map.executeOnKey(name, new Acquire(owner, lease.toMillis()));
        return epoch > 0 ? OptionalLong.of(epoch) : OptionalLong.empty();
    }

    @Override
    public boolean renew(String name, long epoch, Duration lease) {
        return map.executeOnKey(name, new Renew(epoch, lease.toMillis()));
    }

    /**
     * Every renewal sent at once (an entry processor on each name's partition owner), then awaited
     * together: one after another, a node holding a lease per keyed shard would spend a round trip
     * per shard, and its leases would lapse before the round ended.
     */
    @Override
    public Set<String> renewAll(Map<String, Long> epochs, Duration lease) {
        Map<String, CompletableFuture<Boolean>> sent = new HashMap<>();
        epochs.forEach((name, epoch) -> sent.put(name, map.submitToKey(name, new Renew(epoch, lease.toMillis())).toCompletableFuture()));
        Set<String> renewed = new HashSet<>();
        long deadline = System.nanoTime() + lease.toNanos();
        for (Map.Entry<String, CompletableFuture<Boolean>> e : sent.entrySet()) {
            try {
                if (e.getValue().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) renewed.add(e.getKey());
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException x) {
                // not renewed: it lapses by itself (safe)
            }
        }
        return renewed;
    }

    @Override
    public void release(String name, long epoch) {
        map.executeOnKey(name, new Renew(epoch, -1));
    }

    @Override
    public Optional<Holder> current(String name) {
        Lease l = map.get(name);
        return l == null ? Optional.empty() : Optional.of(new Holder(l.epoch(), l.owner(), Math.max(0, l.until() - System.currentTimeMillis())));
    }

    @Override
    public boolean fencesKv() {
        return false;
    }

    record Acquire(String owner, long leaseMillis) implements EntryProcessor<String, Lease, Long>, Serializable {
        @Override
        public Long process(Map.Entry<String, Lease> entry) {
            long now = System.currentTimeMillis();
            Lease l = entry.getValue();
            if (l != null && l.until() > now && !l.owner().equals(owner)) return 0L;
            long epoch = l == null ? 1 : l.epoch() + 1;
            entry.setValue(new Lease(epoch, owner, now + leaseMillis));
            return epoch;
        }
    }

    /** Renews ({@code leaseMillis > 0}) or releases ({@code < 0}) the lease of one epoch. */
    record Renew(long epoch, long leaseMillis) implements EntryProcessor<String, Lease, Boolean>, Serializable {
        @Override
        public Boolean process(Map.Entry<String, Lease> entry) {
            Lease l = entry.getValue();
            if (l == null || l.epoch() != epoch) return false;
            entry.setValue(new Lease(epoch, l.owner(), leaseMillis < 0 ? 0 : System.currentTimeMillis() + leaseMillis));
            return true;
        }
    }
}
