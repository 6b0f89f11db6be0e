package io.rusm.spring;

import io.rusm.ExitReason;
import io.rusm.Node;
import io.rusm.Supervisor;
import io.rusm.SupervisorSpec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the supervision tree before the web server takes traffic and stops it after the web
 * server's graceful shutdown: its phase is below both of the web server's lifecycle phases
 * ({@code DEFAULT_PHASE - 2048} to start, {@code DEFAULT_PHASE - 1024} for graceful shutdown), and
 * Spring stops lifecycles in reverse phase order.
 */
public class RusmLifecycle implements SmartLifecycle {
    /** Below the web server's start (DEFAULT_PHASE - 2048) and graceful-shutdown (DEFAULT_PHASE - 1024) phases. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private static final Logger log = LoggerFactory.getLogger(RusmLifecycle.class);

    private final Node node;
    private final SupervisorSpec rootSpec;
    private final RusmProperties.OnRootEscalation onRootEscalation;
    private final ConfigurableApplicationContext context;
    private volatile @Nullable Supervisor root;
    private volatile boolean running;

    public RusmLifecycle(Node node, SupervisorSpec rootSpec, RusmProperties.OnRootEscalation onRootEscalation,
                         ConfigurableApplicationContext context) {
        this.node = node;
        this.rootSpec = rootSpec;
        this.onRootEscalation = onRootEscalation;
        this.context = context;
    }

    @Override
    public void start() {
        // Every singleton exists by now: they are shared infrastructure, never charged to a service's memory cap.
        node.sharedObjects(singletons(context));
        long started = System.nanoTime();
        root = node.startSupervisor(rootSpec, this::onRootExit);
        running = true;
        log.info("rusm started {} in {} ms", describe(rootSpec), (System.nanoTime() - started) / 1_000_000);
    }

    /** "3 services [counter, cache, hub (on demand)] under 2 supervisors [rusm, caches]". */
    static String describe(SupervisorSpec root) {
        java.util.List<String> services = new java.util.ArrayList<>();
        java.util.List<String> supervisors = new java.util.ArrayList<>();
        collect(root, services, supervisors);
        return services.size() + (services.size() == 1 ? " service " : " services ") + services + " under "
                + supervisors.size() + (supervisors.size() == 1 ? " supervisor " : " supervisors ") + supervisors;
    }

    private static void collect(SupervisorSpec spec, java.util.List<String> services, java.util.List<String> supervisors) {
        supervisors.add(spec.name());
        for (io.rusm.ChildSpec c : spec.children()) {
            switch (c) {
                case SupervisorSpec s -> collect(s, services, supervisors);
                case io.rusm.WorkerSpec w -> services.add(w.resident() ? w.name() : w.name() + " (on demand)");
            }
        }
    }

    /**
     * Not pauseable: a context pause stops lifecycles and a resume starts them again, which would
     * throw away every service's state and start a fresh tree. rusm stops only with the context.
     */
    @Override
    public boolean isPauseable() {
        return false;
    }

    /** Stops the tree on a virtual thread so Spring can bound the wait with its phase timeout. */
    @Override
    public void stop(Runnable callback) {
        Supervisor r = root;
        running = false;
        if (r == null) {
            callback.run();
            return;
        }
        Thread.ofVirtual().name("rusm-shutdown").start(() -> {
            try {
                r.stop();
            } finally {
                callback.run();
            }
        });
    }

    @Override
    public void stop() {
        Supervisor r = root;
        running = false;
        if (r != null) r.stop();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** The running root supervisor, or null before start. */
    public @Nullable Supervisor root() {
        return root;
    }

    private static java.util.function.Predicate<Object> singletons(ConfigurableApplicationContext context) {
        var beanFactory = context.getBeanFactory();
        java.util.Set<Object> shared = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (String name : beanFactory.getSingletonNames()) {
            Object bean = beanFactory.getSingleton(name);
            if (bean != null) shared.add(bean);
        }
        shared.add(context);
        shared.add(beanFactory);
        return shared::contains;
    }

    private void onRootExit(ExitReason reason) {
        if (!running) return; // stopping anyway
        log.error("rusm root supervisor exited with {}: {}", reason.label(),
                onRootEscalation == RusmProperties.OnRootEscalation.SHUTDOWN ? "closing the application context"
                        : "marking liveness BROKEN and readiness REFUSING_TRAFFIC");
        if (onRootEscalation == RusmProperties.OnRootEscalation.SHUTDOWN) {
            // Not on the supervisor's fiber: closing waits for lifecycles, including this one.
            Thread.ofPlatform().name("rusm-escalation-shutdown").start(context::close);
        } else {
            // Both: a load balancer must stop sending traffic that every service would refuse,
            // and the platform should restart the instance.
            AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
            AvailabilityChangeEvent.publish(context, LivenessState.BROKEN);
        }
    }
}
