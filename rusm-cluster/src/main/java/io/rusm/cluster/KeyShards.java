package io.rusm.cluster;

import io.rusm.ExitReason;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.internal.process.Process;
import io.rusm.spi.Ownership;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Where the keys of keyed services run, and what fences them. A key ({@code <service>/<key>}) runs on
 * the member that owns its name's partition. Its fence is not its own: every key of one service in
 * one partition shares a <em>shard</em> lease ({@code <service>#<partition>}), because keys move with
 * their partition and a lease per key would cost a renewal per key. So a node renews at most one
 * lease per service and partition, however many keys it runs; a key's {@code Kv} writes carry the
 * shard's epoch, and a new owner bumps it before any of the shard's keys start there.
 *
 * <p>Handover: every quarter second, the keys of shards whose partition this node no longer owns
 * are stopped gracefully (they drain), and the shard's lease is given back once the last has ended,
 * so the new owner starts them at once. A shard with no live key gives its lease back after a while.
 */
final class KeyShards implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KeyShards.class);
    private static final long PERIOD_MILLIS = 250;
    /** A shard with no live key keeps its lease this long, so keys that come and go do not take a new epoch each time. */
    private static final long EMPTY_KEEP_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final Node node;
    private final Membership membership;
    private final Leases leases;
    private final ConcurrentHashMap<String, Shard> shards = new ConcurrentHashMap<>();
    private final ScheduledExecutorService placer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon(true).name("rusm-cluster-keys").unstarted(r));
    private volatile boolean leaving;

    KeyShards(Node node, Membership membership, Leases leases) {
        this.node = node;
        this.membership = membership;
        this.leases = leases;
        placer.scheduleWithFixedDelay(this::reconcile, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** One service's keys in one partition, on this node. */
    private static final class Shard {
        final String fence;
        final String service;
        /** A key of the shard: asking where it belongs asks where the partition belongs. */
        final String sample;
        /** The live keys here, each with the lease it started under. */
        final ConcurrentHashMap<Pid, HeldLease> keys = new ConcurrentHashMap<>();
        HeldLease lease; // guarded by this
        long emptySince; // guarded by this
        boolean gone; // guarded by this: taken out of the map, look it up again

        Shard(String fence, String service, String sample) {
            this.fence = fence;
            this.service = service;
            this.sample = sample;
        }
    }

    /** Whether the key named {@code name} may run on this node now. */
    boolean mayRunHere(String name) {
        return !leaving && membership.ownedHere(name);
    }

    /**
     * The ownership a new incarnation of the key {@code pid.name()} of {@code service} acts under:
     * its shard's lease, taken first if this node does not hold it (waiting for the previous owner's).
     */
    Ownership acquire(Pid pid, String service, Duration timeout) {
        String name = pid.name();
        String fence = service + "#" + membership.partitionOf(name);
        while (true) {
            Shard shard = shards.computeIfAbsent(fence, f -> new Shard(f, service, name));
            synchronized (shard) {
                if (shard.gone) continue;
                if (shard.lease == null || !shard.lease.held() || shard.lease.isReleased()) {
                    shard.lease = leases.acquire(fence, service, timeout, () -> mayRunHere(name), lost -> fenceAll(shard, lost));
                }
                shard.keys.put(pid, shard.lease);
                return new KeyOwnership(shard, shard.lease, pid);
            }
        }
    }

    /** A key's view of its shard's lease: giving it back only leaves the shard. */
    private final class KeyOwnership implements Ownership {
        private final Shard shard;
        private final HeldLease lease;
        private final Pid pid;

        KeyOwnership(Shard shard, HeldLease lease, Pid pid) {
            this.shard = shard;
            this.lease = lease;
            this.pid = pid;
        }

        @Override
        public String fence() {
            return lease.fence();
        }

        @Override
        public long epoch() {
            return lease.epoch();
        }

        @Override
        public boolean held() {
            return lease.held();
        }

        @Override
        public void release() {
            shard.keys.remove(pid);
            if (shard.keys.isEmpty() && !mayRunHere(shard.sample)) tidy(shard, true); // the last key of a moving shard: hand over now
        }
    }

    /**
     * A lease of the shard is lost: the keys that started under it must never act again. Takes no
     * lock (it runs on the lease renewer, which must never wait behind an acquire); the next key to
     * start takes a new lease.
     */
    private void fenceAll(Shard shard, HeldLease lost) {
        shard.keys.forEach((pid, lease) -> {
            if (lease != lost) return;
            Process p = node.runtime().byPid(pid);
            if (p != null) p.terminate(ExitReason.FENCED, false);
        });
    }

    private void reconcile() {
        try {
            for (Shard shard : shards.values()) {
                boolean movedAway = !mayRunHere(shard.sample);
                if (movedAway) stopKeys(shard);
                tidy(shard, movedAway);
            }
        } catch (RuntimeException e) {
            log.warn("rusm cluster: placing keys failed, trying again: {}", e.toString());
        }
    }

    /** Keys of a shard that moved away drain and stop (graceful, as an idle stop); their callers follow the new owner. */
    private void stopKeys(Shard shard) {
        HeldLease lease;
        synchronized (shard) {
            lease = shard.lease;
        }
        if (lease != null && !lease.held()) return; // lapsed: it may not drain; the lease renewer fences it
        for (Pid pid : shard.keys.keySet()) {
            Process p = node.runtime().byPid(pid);
            if (p != null) p.requestStop();
        }
    }

    /** Gives the lease of a shard without live keys back: at once if it moved away, after a while if not. */
    private void tidy(Shard shard, boolean movedAway) {
        HeldLease release = null;
        synchronized (shard) {
            if (shard.gone) return;
            if (!shard.keys.isEmpty()) {
                shard.emptySince = 0;
                return;
            }
            long now = System.nanoTime();
            if (shard.emptySince == 0) shard.emptySince = now;
            if (movedAway || now - shard.emptySince > EMPTY_KEEP_NANOS) {
                shard.gone = true;
                shards.remove(shard.fence, shard);
                release = shard.lease;
            }
        }
        if (release != null) release.release();
    }

    /** Graceful leave: no key starts here any more; every key here drains and stops within {@code timeout}. */
    void stopAll(Duration timeout) {
        leaving = true;
        List<Process> stopping = new ArrayList<>();
        for (Shard shard : shards.values()) {
            for (Pid pid : shard.keys.keySet()) {
                Process p = node.runtime().byPid(pid);
                if (p != null) {
                    p.requestStop();
                    stopping.add(p);
                }
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Process p : stopping) {
            try {
                p.exitFuture().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception late) {
                p.terminate(ExitReason.KILLED, false);
            }
        }
        reconcile(); // every shard is empty now: its lease goes back
    }

    /** Shards (service and partition) this node holds a lease for. */
    int size() {
        return shards.size();
    }

    @Override
    public void close() {
        placer.shutdownNow();
    }
}
