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
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Takes, renews and gives back the leases of this node's singleton incarnations. Renewal runs every
 * quarter lease on its own thread and only while this side has its quorum; a refused renewal (a newer
 * epoch exists) ends the incarnation with {@code fenced} at once.
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
     * Blocks (on the new incarnation's fiber) until the previous owner's lease is over or given back,
     * then takes a new epoch. Gives up at once when this node stops being the owner.
     */
    HeldLease acquire(Pid pid, Duration timeout, Predicate<String> mayRunHere) {
        // Bounded well below the start timeout: the start runs on the supervisor's request, and a
        // supervisor must not sit for long behind a rival's lease (views disagree for a moment after
        // a merge). A lease that is not released lapses within one lease; three is plenty.
        long deadline = System.nanoTime() + Math.min(timeout.toNanos(), lease.toNanos() * 3 + Duration.ofSeconds(1).toNanos());
        String name = pid.name();
        String cause = handoverCause(name);
        while (true) {
            // Declined, not failed: the supervisor leaves it idle (OTP's ignore) instead of counting a crash.
            if (!mayRunHere.test(name)) throw new StartIgnored("'" + name + "' is owned by another node now");
            long sent = System.nanoTime();
            OptionalLong epoch = store.acquire(name, node, lease);
            if (epoch.isPresent()) {
                HeldLease l = new HeldLease(pid, epoch.getAsLong(), sent + trusted(), this);
                held.add(l);
                if (!cause.isEmpty()) listener.handover(name, cause);
                log.info("{} owns '{}' with epoch {}{}", node, name, epoch.getAsLong(), cause.isEmpty() ? "" : " (" + cause + ")");
                return l;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new StartIgnored("'" + name + "' is still held by another node's lease; it starts here once that ends");
            }
            try {
                Thread.sleep(Math.max(10, lease.toMillis() / 20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NoProcessException(name + " (its start was interrupted)");
            }
        }
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
        for (HeldLease l : held) {
            if (l.isReleased()) continue;
            long sent = System.nanoTime();
            boolean ok;
            try {
                ok = store.renew(l.fence(), l.epoch(), lease);
            } catch (RuntimeException e) {
                log.warn("could not renew the lease of '{}' (epoch {}): {}", l.fence(), l.epoch(), e.toString());
                continue; // the lease lapses by itself if this goes on
            }
            if (ok) {
                l.renewed(sent + trusted());
            } else {
                fence(l);
            }
        }
    }

    /** A newer epoch exists: this incarnation must never act again. */
    private void fence(HeldLease l) {
        l.lose();
        held.remove(l);
        Process p = runtime.byPid(l.pid);
        log.warn("{} lost '{}' (epoch {}): a newer owner took it or its lease lapsed; fenced", node, l.fence(), l.epoch());
        if (p != null) p.terminate(ExitReason.FENCED, false);
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

    /** The lease this node holds for {@code name}, if any. */
    HeldLease heldFor(String name) {
        for (HeldLease l : held) if (l.fence().equals(name) && !l.isReleased()) return l;
        return null;
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
