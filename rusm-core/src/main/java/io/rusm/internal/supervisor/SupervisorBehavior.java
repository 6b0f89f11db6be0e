package io.rusm.internal.supervisor;

import io.rusm.Behavior;
import io.rusm.ChildSnapshot;
import io.rusm.ChildSpec;
import io.rusm.ChildStatus;
import io.rusm.Exit;
import io.rusm.ExitReason;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.ProcessContext;
import io.rusm.RusmException;
import io.rusm.SpawnOptions;
import io.rusm.SupervisorSpec;
import io.rusm.WorkerSpec;
import io.rusm.internal.process.Current;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * A supervisor is a process like any other: it traps exits, is linked to each child it starts, and
 * handles their {@link Exit} messages one at a time. Each rule of OTP's {@code supervisor} sits in
 * one small method below: {@link #onChildExit}, {@link #restart}, {@link #escalate},
 * {@link #stopChildren}.
 */
public final class SupervisorBehavior implements Behavior {
    private static final Logger log = LoggerFactory.getLogger("io.rusm.supervisor");

    /** Asks the supervisor to try a child start that failed again (counts as a restart). */
    record TryAgain(String child) {}

    /** Manual restart of one child (actuator, tests): stop it gracefully, start it fresh. */
    public record RestartChild(String child) {}

    /** Starts a non-resident child on demand (its first call); replies with its pid, or the running one's. */
    public record StartChild(String child) {}

    private final Node node;
    private final SupervisorSpec spec;
    private final Pid parent;
    private final List<Child> children = new ArrayList<>();
    private final RestartIntensity intensity;
    private Pid self;

    public SupervisorBehavior(Node node, SupervisorSpec spec, Pid parent) {
        this.node = node;
        this.spec = spec;
        this.parent = parent;
        this.intensity = new RestartIntensity(spec.intensity(), spec.period());
        for (ChildSpec c : spec.children()) children.add(new Child(c));
    }

    public SupervisorSpec spec() {
        return spec;
    }

    // ---- start ------------------------------------------------------------------------------

    @Override
    public void init() {
        self = ProcessContext.self();
        // Keep the subtree's incarnation counters for as long as this supervisor may restart it: a
        // nested supervisor's children keep counting across that supervisor's own restarts.
        holdNames(spec);
        for (Child c : children) {
            if (c.spec instanceof WorkerSpec w && !w.resident()) {
                c.status = ChildStatus.IDLE;
                node.runtime().registerOnDemand(w.name(), spec.name());
                continue;
            }
            try {
                start(c);
            } catch (RuntimeException e) {
                // OTP: a child that cannot start fails the supervisor's own start, after stopping the rest.
                stopChildren(children, ChildStatus.STOPPED);
                throw new RusmException("supervisor '" + spec.name() + "' could not start child '" + c.name() + "': " + e.getMessage(), e);
            }
        }
    }

    private void holdNames(SupervisorSpec s) {
        for (ChildSpec c : s.children()) {
            node.runtime().holdName(c.name());
            if (c instanceof SupervisorSpec nested) holdNames(nested);
        }
    }

    private void start(Child c) {
        c.status = ChildStatus.RESTARTING;
        switch (c.spec) {
            case WorkerSpec w -> c.pid = node.spawn(SpawnOptions.named(w.name()).withMailboxCapacity(w.mailboxCapacity())
                    .withMaxMemoryBytes(w.maxMemoryBytes()).withLinkTo(self), w.behavior().get());
            case SupervisorSpec s -> {
                SupervisorBehavior nested = new SupervisorBehavior(node, s, self);
                c.nested = nested;
                c.pid = node.spawn(SpawnOptions.named(s.name()).withTrapExits(true).withLinkTo(self), nested);
            }
        }
        c.status = ChildStatus.RUNNING;
    }

    // ---- messages ---------------------------------------------------------------------------

    @Override
    public Object handle(Object message) {
        switch (message) {
            case Exit e -> onExit(e);
            // Only a child still waiting for its restart is retried (as OTP does): one started in the
            // meantime (a manual restart, a group restart) is left alone.
            case TryAgain t -> find(t.child()).filter(c -> c.pid == null && c.status == ChildStatus.RESTARTING)
                    .ifPresent(c -> onChildExit(c, c.lastExitReason));
            case RestartChild r -> restartManually(r.child());
            case StartChild r -> {
                return startOnDemand(r.child());
            }
            default -> log.warn("supervisor '{}' ignored an unexpected message: {}", spec.name(), message);
        }
        return null;
    }

    /** Requests about children (unknown name, a start that fails) answer the caller; they never crash the supervisor. */
    @Override
    public boolean isDeclaredFailure(Object message, Throwable failure) {
        return (message instanceof RestartChild || message instanceof StartChild) && failure instanceof RuntimeException;
    }

    private Pid startOnDemand(String name) {
        Child c = find(name).orElseThrow(() -> new io.rusm.NoProcessException(name));
        if (c.pid == null) {
            if (isStopping()) throw new io.rusm.NoProcessException(name);
            start(c);
        }
        return c.pid;
    }

    private void onExit(Exit e) {
        if (e.from().equals(parent)) {
            // Our parent is gone: take the subtree down with the same reason, as OTP does.
            stopChildren(children, ChildStatus.STOPPED);
            ProcessContext.stopSelf(e.reason());
            return;
        }
        for (Child c : children) {
            if (e.from().equals(c.pid)) {
                c.pid = null;
                onChildExit(c, e.reason());
                return;
            }
        }
        // An exit from an incarnation we already replaced or stopped: stale, nothing to do.
    }

    /** The child ended with {@code reason}: restart it (and its strategy's siblings) or let it rest. */
    private void onChildExit(Child c, ExitReason reason) {
        c.lastExitReason = reason;
        if (isStopping()) {
            c.status = ChildStatus.STOPPED;
            return;
        }
        if (!c.spec.restart().restartsAfter(reason)) {
            c.status = ChildStatus.STOPPED;
            return;
        }
        if (!intensity.addRestart(System.nanoTime())) {
            escalate(c, reason);
            return;
        }
        c.status = ChildStatus.RESTARTING;
        restart(c);
    }

    /** Restarts {@code c} and, per strategy, its siblings: those stop first (reverse order), then all start in order. */
    private void restart(Child c) {
        List<Child> group = switch (spec.strategy()) {
            case ONE_FOR_ONE -> List.of(c);
            case ONE_FOR_ALL -> children;
            case REST_FOR_ONE -> children.subList(children.indexOf(c), children.size());
        };
        List<Child> idle = group.stream().filter(g -> g != c && g.status == ChildStatus.IDLE).toList();
        stopChildren(group, ChildStatus.RESTARTING);
        for (Child g : group) {
            if (idle.contains(g)) {
                g.status = ChildStatus.IDLE; // a non-resident sibling that never started stays on demand
                continue;
            }
            if (g != c && g.spec.restart() == io.rusm.RestartType.TEMPORARY) {
                g.status = ChildStatus.STOPPED; // OTP: temporary siblings are not brought back
                continue;
            }
            try {
                start(g);
            } catch (RuntimeException e) {
                g.pid = null;
                g.status = ChildStatus.RESTARTING;
                g.lastExitReason = e instanceof io.rusm.ProcessCrashedException pce ? pce.reason() : ExitReason.crashed(e);
                log.warn("supervisor '{}' could not restart '{}': {}; trying again", spec.name(), g.name(), e.toString());
                node.send(self, new TryAgain(g.name())); // via the mailbox: bounded by intensity, never a spin
                return;
            }
            g.restarts++;
            log.warn("supervisor '{}' restarted '{}' as {} after {}", spec.name(), g.name(), g.pid, describe(g.lastExitReason));
            node.runtime().listeners.restarted(spec.name(), g.pid);
        }
    }

    /** Too many restarts in the period: stop every child (reverse order) and exit with {@code escalated}. */
    private void escalate(Child c, ExitReason reason) {
        log.error("supervisor '{}' escalated: more than {} restarts within {} (last: '{}' exited with {})",
                spec.name(), spec.intensity(), spec.period(), c.name(), describe(reason));
        c.status = ChildStatus.ESCALATED;
        stopChildren(children, ChildStatus.ESCALATED);
        node.runtime().listeners.escalated(spec.name(), self);
        ProcessContext.stopSelf(ExitReason.ESCALATED);
    }

    private void restartManually(String name) {
        Child c = find(name).orElseThrow(() -> new IllegalArgumentException("supervisor '" + spec.name() + "' has no child '" + name + "'"));
        stopChildren(List.of(c), ChildStatus.RESTARTING);
        c.lastExitReason = ExitReason.SHUTDOWN;
        try {
            start(c);
        } catch (RuntimeException e) {
            // The fresh incarnation could not start: the caller is told, and the child is retried
            // like any failed restart (counting toward intensity), so it is neither left down
            // silently nor retried forever.
            c.pid = null;
            c.status = ChildStatus.RESTARTING;
            c.lastExitReason = e instanceof io.rusm.ProcessCrashedException pce ? pce.reason() : ExitReason.crashed(e);
            node.send(self, new TryAgain(c.name()));
            throw e;
        }
        c.restarts++;
        log.warn("supervisor '{}' restarted '{}' as {} on request", spec.name(), c.name(), c.pid);
        node.runtime().listeners.restarted(spec.name(), c.pid);
    }

    // ---- stop -------------------------------------------------------------------------------

    @Override
    public void terminate() {
        stopChildren(children, ChildStatus.STOPPED);
    }

    /**
     * Stops the running children of {@code group} in reverse start order, each within its shutdown
     * timeout and killed past it. Unlinks first so their exits are not taken for crashes.
     */
    private void stopChildren(List<Child> group, ChildStatus after) {
        for (int i = group.size() - 1; i >= 0; i--) {
            Child c = group.get(i);
            Pid pid = c.pid;
            if (pid != null) {
                node.unlink(self, pid);
                ExitReason how = node.stop(pid, c.spec.shutdownTimeout());
                c.pid = null;
                c.lastExitReason = how;
            }
            c.status = after;
        }
    }

    private boolean isStopping() {
        var me = Current.orNull();
        return me != null && me.mailbox().isClosed();
    }

    private java.util.Optional<Child> find(String name) {
        return children.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    private static String describe(ExitReason r) {
        return r instanceof ExitReason.Crashed c ? "crashed: " + c.cause() : r == null ? "start failure" : r.label();
    }

    // ---- views ------------------------------------------------------------------------------

    /** The children's current state, in start order. */
    public List<ChildSnapshot> childSnapshots() {
        List<ChildSnapshot> out = new ArrayList<>(children.size());
        for (Child c : children) out.add(c.snapshot());
        return out;
    }
}
