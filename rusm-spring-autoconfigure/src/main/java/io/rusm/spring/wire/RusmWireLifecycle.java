package io.rusm.spring.wire;

import io.rusm.wire.WireServer;
import io.rusm.spring.RusmLifecycle;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Opens the wire once the supervision tree runs and closes it before the tree stops (the phase
 * right after {@link RusmLifecycle}'s), so no wire call arrives at services that are not started
 * yet or already drained.
 */
public class RusmWireLifecycle implements SmartLifecycle {
    private final Supplier<WireServer> starter;
    private volatile @Nullable WireServer server;

    public RusmWireLifecycle(Supplier<WireServer> starter) {
        this.starter = starter;
    }

    @Override
    public void start() {
        server = starter.get();
    }

    @Override
    public void stop() {
        WireServer s = server;
        server = null;
        if (s != null) s.shutdown(Duration.ofSeconds(1));
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    @Override
    public int getPhase() {
        return RusmLifecycle.PHASE + 1;
    }

    /** The running server (null when stopped): its {@link WireServer#port()} is the bound port. */
    public @Nullable WireServer server() {
        return server;
    }
}
