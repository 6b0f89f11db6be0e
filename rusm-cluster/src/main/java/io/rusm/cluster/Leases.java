package io.rusm.cluster;

import io.rusm.ExitReason;
import io.rusm.NoProcessException;
import io.rusm.Pid;
import io.rusm.StartIgnored;
import io.rusm.internal.process.Process;
import io.rusm.internal.process.Runtime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Takes, renews and gives back the leases this node holds: one per singleton incarnation, one per
 * keyed shard (a keyed service's keys in one partition). Renewal runs every quarter lease on its own
 * thread, all leases in one store round trip, and only while this side has its quorum; a refused
 * renewal (a newer epoch exists) fences what held the lease at once.
 */
final class Leases implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Leases.class);
    /** The share of the lease this JVM trusts: its deadline ends well before the store's. */
    private static final double TRUSTED = 0.75;

    private final LeaseStore store;
    private final String node;
    private final Duration lease;
    private final Runtime runtime;
    private final Membership membership;
    private final ClusterListener listener;
    private final Set<HeldLease> held = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon(true).name("rusm-cluster-leases").unstarted(r));
    private final ExecutorService releaser = Executors.newVirtualThreadPerTaskExecutor();
    /** Set by a graceful leave: this node has left the membership but still drains what it holds. */
    private volatile boolean leaving;

    Leases(LeaseStore store, String node, Duration lease, Runtime runtime, Membership membership, ClusterListener listener) {
        this.store = store;
        this.node = node;
        this.lease = lease;
        this.runtime = runtime;
        this.membership = membership;
        this.listener = listener;
        long every = Math.max(50, lease.toMillis() / 4);
        renewer.scheduleWithFixedDelay(this::renewAll, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Blocks (on the new incarnation's fiber) until the previous holder's lease of {@code fence} is
     * over or given back, then takes a new epoch. Gives up at once when {@code mayHold} turns false
     * (this node stopped being the owner).
     *
     * @param service names the service in handover events (the fence of a keyed shard is not one)
     * @param onLost  stops whatever acts under the lease once it is lost (a newer epoch, a lapse)
     */
    HeldLease acquire(String fence, String service, Duration timeout, BooleanSupplier mayHold, Consumer<HeldLease> onLost) {
        // Bounded well below the start timeout: the start runs on the supervisor's request, and a
        // supervisor must not sit for long behind a rival's lease (views disagree for a moment after
        // a merge). A lease that is not released lapses within one lease; three is plenty.
        long deadline = System.nanoTime() + Math.min(timeout.toNanos(), lease.toNanos() * 3 + Duration.ofSeconds(1).toNanos());
        String cause = handoverCause(fence);
        while (true) {
            // Declined, not failed: the supervisor leaves it idle (OTP's ignore) instead of counting a crash.
            if (!mayHold.getAsBoolean()) throw new StartIgnored("'" + fence + "' is owned by another node now");
            long sent = System.nanoTime();
            OptionalLong epoch = store.acquire(fence, node, lease);
            if (epoch.isPresent()) {
                HeldLease l = new HeldLease(fence, epoch.getAsLong(), sent + trusted(), this, onLost);
                held.add(l);
                if (!cause.isEmpty()) listener.handover(service, cause);
                log.info("{} owns '{}' with epoch {}{}", node, fence, epoch.getAsLong(), cause.isEmpty() ? "" : " (" + cause + ")");
                return l;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new StartIgnored("'" + fence + "' is still held by another node's lease; it starts here once that ends");
            }
            try {
                Thread.sleep(Math.max(10, lease.toMillis() / 20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NoProcessException(fence + " (its start was interrupted)");
            }
        }
    }

    /** A singleton incarnation's lease: lost, it ends with {@code fenced} at once. */
    HeldLease acquire(Pid pid, Duration timeout, Predicate<String> mayRunHere) {
        String name = pid.name();
        return acquire(name, name, timeout, () -> mayRunHere.test(name), lost -> {
            Process p = runtime.byPid(pid);
            if (p != null) p.terminate(ExitReason.FENCED, false);
        });
    }

    /**
     * Why {@code name} comes here, judged from its holder before this node takes it: {@code rebalance}
     * when another live member gave it back, {@code failover} when its holder is gone or its lease
     * had to lapse, empty when it was never held elsewhere.
     */
    private String handoverCause(String name) {
        return store.current(name).filter(h -> !h.owner().equals(node))
                .map(h -> membership.byNode(h.owner()) != null && h.leaseLeftMillis() == 0 ? "rebalance" : "failover")
                .orElse("");
    }

    private long trusted() {
        return (long) (lease.toNanos() * TRUSTED);
    }

    private void renewAll() {
        for (HeldLease l : held) { // lapsed (a pause, a lost quorum): the others may own it now
            if (!l.isReleased() && !l.held()) fence(l);
        }
        // A side without its quorum lets its leases lapse; a node leaving on purpose keeps them while it
        // drains (the new owner waits for the release: the old incarnation stops before the new starts).
        if (!leaving && !membership.quorum()) return;
        Map<String, HeldLease> due = new HashMap<>();
        Map<String, Long> epochs = new HashMap<>();
        for (HeldLease l : held) {
            if (l.isReleased()) continue;
            due.put(l.fence(), l);
            epochs.put(l.fence(), l.epoch());
        }
        if (due.isEmpty()) return;
        long sent = System.nanoTime();
        Set<String> renewed;
        try {
            renewed = store.renewAll(epochs, lease); // one round trip for all: a node may hold a shard lease per partition
        } catch (RuntimeException e) {
            log.warn("could not renew {} lease(s): {}", due.size(), e.toString());
            return; // they lapse by themselves if this goes on
        }
        for (HeldLease l : due.values()) {
            if (renewed.contains(l.fence())) l.renewed(sent + trusted());
            else if (!l.isReleased()) fence(l);
        }
    }

    /** A newer epoch exists, or the lease lapsed: whatever held it must never act again. */
    private void fence(HeldLease l) {
        held.remove(l);
        log.warn("{} lost '{}' (epoch {}): a newer owner took it or its lease lapsed; fenced", node, l.fence(), l.epoch());
        l.lose();
    }

    void leaving() {
        leaving = true;
    }

    void release(HeldLease l) {
        held.remove(l);
        if (releaser.isShutdown()) return; // closing: the lease lapses by itself
        releaser.execute(() -> {
            try {
                store.release(l.fence(), l.epoch());
            } catch (RuntimeException e) {
                log.warn("could not release the lease of '{}' (epoch {}); it lapses by itself: {}", l.fence(), l.epoch(), e.toString());
            }
        });
    }

    @Override
    public void close() {
        renewer.shutdownNow();
        releaser.shutdown();
        try {
            releaser.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
