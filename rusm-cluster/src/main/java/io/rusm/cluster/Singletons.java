package io.rusm.cluster;

import io.rusm.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Keeps each singleton running where it belongs: started on this node when it owns the name's
 * partition and has its quorum, drained and stopped here when it does not. Runs on one thread,
 * woken by membership changes and every quarter second; each start or stop runs on its own virtual
 * thread, so a slow drain never holds up the others.
 */
final class Singletons implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Singletons.class);
    private static final long PERIOD_MILLIS = 250;

    private final Node node;
    private final Membership membership;
    private final Set<String> names;
    private final Duration startTimeout;
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    private final Semaphore wake = new Semaphore(0);
    private final Thread thread;
    private volatile boolean paused = true;
    private volatile boolean closed;

    Singletons(Node node, Membership membership, Set<String> names, Duration startTimeout) {
        this.node = node;
        this.membership = membership;
        this.names = names;
        this.startTimeout = startTimeout;
        this.thread = Thread.ofPlatform().daemon(true).name("rusm-cluster-singletons").start(this::run);
    }

    /** Lets it start singletons (once the node's supervision tree runs). */
    void resume() {
        paused = false;
        wake();
    }

    /** Stops starting singletons here (before this node leaves). */
    void pause() {
        paused = true;
    }

    void wake() {
        wake.release();
    }

    /** Whether this node may run {@code name} now. */
    boolean mayRunHere(String name) {
        if (!names.contains(name)) return true;
        return !closed && membership.ownedHere(name);
    }

    private void run() {
        while (!closed) {
            try {
                wake.tryAcquire(PERIOD_MILLIS, TimeUnit.MILLISECONDS);
                wake.drainPermits();
                if (!paused) reconcile();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("rusm cluster: placing singletons failed, trying again: {}", e.toString());
            }
        }
    }

    private void reconcile() {
        for (String name : names) {
            io.rusm.internal.process.Process p = node.runtime().byName(name);
            boolean running = p != null;
            if (running && p.ownership() != null && !p.ownership().held()) {
                // Its lease lapsed (this JVM was paused, or lost its quorum): it may not drain. The lease
                // renewer fences it on its next round (Leases, the one place that fences); leave it be.
                continue;
            }
            boolean mine = mayRunHere(name);
            if (mine && !running) act(name, () -> node.startOnDemand(name, startTimeout));
            else if (!mine && running) act(name, () -> {
                log.info("rusm cluster: '{}' moves away from {}: draining it here", name, node.name());
                node.idleOnDemand(name, Duration.ofMinutes(1)); // its drain is bounded by its shutdown-timeout
            });
        }
    }

    private void act(String name, Runnable action) {
        if (!busy.add(name)) return;
        Thread.ofVirtual().name("rusm-cluster-place-" + name).start(() -> {
            try {
                action.run();
            } catch (RuntimeException e) {
                log.debug("rusm cluster: placing '{}' did not complete: {}", name, e.toString());
            } finally {
                busy.remove(name); // no wake-up here: a start that is declined at once would spin; the next tick looks again
            }
        });
    }

    /** Drains and stops every singleton running here (graceful leave), within {@code timeout} each. */
    void stopAll(Duration timeout) {
        paused = true;
        for (String name : names) if (node.runtime().byName(name) != null) node.idleOnDemand(name, timeout);
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
