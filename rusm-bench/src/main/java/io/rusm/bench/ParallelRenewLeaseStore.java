package io.rusm.bench;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.rusm.cluster.HazelcastLeaseStore;
import io.rusm.cluster.LeaseStore;

import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * An experiment for ClusterCallMain ({@code -Drusm.bench.leases=parallel}), not rusm's store: rusm's
 * {@link HazelcastLeaseStore} renews a node's leases with {@code LeaseStore}'s default
 * {@code renewAll}, one {@code executeOnKey} round trip after another, one per keyed shard (up to 271
 * per service). This one sends every renewal at once ({@code submitToKey}) and waits for all, the
 * same entry-processor logic on the same map ({@code rusm.leases}); the rest is delegated.
 */
final class ParallelRenewLeaseStore implements LeaseStore {
    private final HazelcastLeaseStore delegate;
    private final IMap<String, HazelcastLeaseStore.Lease> map;

    ParallelRenewLeaseStore(HazelcastInstance hazelcast) {
        this.delegate = new HazelcastLeaseStore(hazelcast);
        this.map = hazelcast.getMap("rusm.leases");
    }

    @Override
    public OptionalLong acquire(String name, String owner, Duration lease) {
        return delegate.acquire(name, owner, lease);
    }

    @Override
    public boolean renew(String name, long epoch, Duration lease) {
        return delegate.renew(name, epoch, lease);
    }

    @Override
    public Set<String> renewAll(Map<String, Long> epochs, Duration lease) {
        Map<String, CompletableFuture<Boolean>> sent = new HashMap<>();
        epochs.forEach((name, epoch) -> sent.put(name, map.submitToKey(name, new Renew(epoch, lease.toMillis())).toCompletableFuture()));
        Set<String> renewed = new HashSet<>();
        sent.forEach((name, f) -> {
            if (f.join()) renewed.add(name);
        });
        return renewed;
    }

    @Override
    public void release(String name, long epoch) {
        delegate.release(name, epoch);
    }

    @Override
    public Optional<Holder> current(String name) {
        return delegate.current(name);
    }

    @Override
    public boolean fencesKv() {
        return delegate.fencesKv();
    }

    @Override
    public void close() {
        delegate.close();
    }

    /** HazelcastLeaseStore's renewal, as it is there (that record is not public). */
    record Renew(long epoch, long leaseMillis) implements EntryProcessor<String, HazelcastLeaseStore.Lease, Boolean>, Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Boolean process(Map.Entry<String, HazelcastLeaseStore.Lease> entry) {
            HazelcastLeaseStore.Lease l = entry.getValue();
            if (l == null || l.epoch() != epoch) return false;
            entry.setValue(new HazelcastLeaseStore.Lease(epoch, l.owner(), System.currentTimeMillis() + leaseMillis));
            return true;
        }
    }
}
