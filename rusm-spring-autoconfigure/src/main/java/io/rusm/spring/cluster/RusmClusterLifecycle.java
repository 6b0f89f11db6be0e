package io.rusm.spring.cluster;

import io.rusm.cluster.RusmCluster;
import io.rusm.spring.RusmLifecycle;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;

/**
 * Lets the cluster place singletons here once the supervision tree and the wire run; at shutdown,
 * first of rusm's phases, hands them over (leave the membership so calls go to the new owners, drain
 * the ones running here, give their leases back) before the wire and the tree stop.
 */
public class RusmClusterLifecycle implements SmartLifecycle {
    private final RusmCluster cluster;
    private final Duration drainTimeout;
    private volatile boolean running;

    public RusmClusterLifecycle(RusmCluster cluster, Duration drainTimeout) {
        this.cluster = cluster;
        this.drainTimeout = drainTimeout;
    }

    @Override
    public void start() {
        cluster.resume();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        cluster.leave(drainTimeout);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return RusmLifecycle.PHASE + 2;
    }
}
