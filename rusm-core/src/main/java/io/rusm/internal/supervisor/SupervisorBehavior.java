package io.rusm.internal.supervisor;

import io.rusm.Behavior;
import io.rusm.CallTimeoutException;
import io.rusm.ChildCounts;
import io.rusm.ChildSnapshot;
import io.rusm.ChildSpec;
import io.rusm.ChildStatus;
import io.rusm.Exit;
import io.rusm.ExitReason;
import io.rusm.NoProcessException;
import io.rusm.internal.process.Runtime;
import io.rusm.Pid;
import io.rusm.ProcessContext;
import io.rusm.ProcessCrashedException;
import io.rusm.RestartType;
import io.rusm.RusmException;
import io.rusm.SpawnOptions;
import io.rusm.SupervisorChildException;
import io.rusm.SupervisorChildException.Problem;
import io.rusm.SupervisorSpec;
import io.rusm.WorkerSpec;
import io.rusm.WorkerTemplate;
import io.rusm.internal.process.Current;
import io.rusm.internal.process.Process;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A supervisor is a process like any other: it traps exits, is linked to each child it starts, and
 * handles their {@link Exit} messages and the requests about its children one at a time. Each rule
 * of OTP's {@code supervisor} sits in one small method below: {@link #onChildExit} (restart or let
 * rest), {@link #restart} (the strategy's group), {@link #giveUp} (intensity exceeded),
 * {@link #stopChild} (shutdown per timeout), and one method per request of OTP's API.
 */
public final class SupervisorBehavior implements Behavior {
    private static final Logger log = LoggerFactory.getLogger("io.rusm.supervisor");

    /** A request to the supervisor: answered to its caller, a failure never crashes the supervisor. */
    public sealed interface Request {}

    /** Stop the child gracefully and start it fresh (the actuator's restart). */
    public record RestartChild(String child) implements Request {}

    /** Start a non-resident child on demand (its first call); replies with its pid, or the running one's. */
    public record StartOnDemand(String child) implements Request {}

    /** OTP's {@code start_child} with a child spec: replies with the pid, or null if the child ignored its start. */
    public record StartChild(ChildSpec spec) implements Request {}

    /** OTP's {@code start_child} of a simple-one-for-one supervisor: replies with the pid, or null if ignored. */
    public record StartPoolChild(List<Object> args) implements Request {}

    /** OTP's {@code terminate_child} by name. */
    public record TerminateChild(String child) implements Request {}

    /** OTP's {@code terminate_child} by pid, for a simple-one-for-one supervisor. */
    public record TerminatePoolChild(Pid pid) implements Request {}

    /** OTP's {@code restart_child}: starts a child that is not running; replies with its pid, or null if ignored. */
    public record RestartStoppedChild(String child) implements Request {}

    /** OTP's {@code delete_child}. */
    public record DeleteChild(String child) implements Request {}

    /** OTP's {@code which_children}: replies with a {@code List<ChildSnapshot>}. */
    public record WhichChildren() implements Request {}

    /** OTP's {@code count_children}: replies with {@link ChildCounts}. */
    public record CountChildren() implements Request {}

    /** Asks the supervisor to try a child start that failed again (counts as a restart). */
    private record TryAgain(Child child) {}

    private final Runtime node;
    private final OnDemandChildren onDemand;
    private final SupervisorSpec spec;
    private final Pid parent;
    /** Named children in start order; copy-on-write so snapshots read it from other threads. */
    private final List<Child> children = new CopyOnWriteArrayList<>();
    /** Simple-one-for-one children by current pid (or, while one is restarting, by its last pid). */
    private final Map<Pid, Child> pool = new ConcurrentHashMap<>();
    private final RestartIntensity intensity;
    private volatile Pid self;
    /** Set when intensity was exceeded: the supervisor stops its children and exits {@code shutdown}. */
    private volatile boolean gaveUp;
    /** The child whose start the supervisor is waiting for, to fail an on-demand request from it at once. */
    private volatile Child starting;

    public SupervisorBehavior(Runtime node, OnDemandChildren onDemand, SupervisorSpec spec, Pid parent) {
        this.node = node;
        this.onDemand = onDemand;
        this.spec = spec;
        this.parent = parent;
        this.intensity = new RestartIntensity(spec.intensity(), spec.period());
        for (ChildSpec c : spec.children()) children.add(Child.named(c));
    }

    public SupervisorSpec spec() {
        return spec;
    }

    /** Whether this incarnation gave up (too many restarts): it then exits {@code shutdown}, as OTP's does. */
    public boolean gaveUp() {
        return gaveUp;
    }

    // ---- start ------------------------------------------------------------------------------

    @Override
    public void init() {
        self = ProcessContext.self();
        Process me = Current.orNull();
        // However this incarnation ends (even killed), the node forgets the on-demand names it served.
        me.exitFuture().whenComplete((reason, failure) -> {
            for (Child c : children) onDemand.unregister(c.name(), this);
        });
        // Keep the subtree's incarnation counters for as long as this supervisor may restart it: a
        // nested supervisor's children keep counting across that supervisor's own restarts.
        for (Child c : children) holdNames(c.spec);
        for (Child c : children) {
            if (c.isOnDemand()) {
                waitOnDemand(c);
                continue;
            }
            try {
                if (start(c) == null) rest(c); // ignored its start
            } catch (RuntimeException e) {
                // OTP: a child that cannot start fails the supervisor's own start, after stopping the rest.
                stopAllChildren(ChildStatus.STOPPED);
                throw new RusmException("supervisor '" + spec.name() + "' could not start child '" + c.name() + "': " + e.getMessage(), e);
            }
        }
    }

    /** Holds the names of {@code c}'s subtree (see {@link io.rusm.internal.process.Runtime#holdName}). */
    private void holdNames(ChildSpec c) {
        node.holdName(c.name());
        if (c instanceof SupervisorSpec nested) for (ChildSpec n : nested.children()) holdNames(n);
    }

    private void releaseNames(ChildSpec c) {
        node.releaseName(c.name());
        if (c instanceof SupervisorSpec nested) for (ChildSpec n : nested.children()) releaseNames(n);
    }

    /**
     * Starts one incarnation of {@code c}, linked to this supervisor. Returns its pid, or null when
     * the child declined to start ({@link io.rusm.StartIgnored}); throws if its start failed.
     */
    private Pid start(Child c) {
        return start(c, c.args);
    }

    private Pid start(Child c, List<Object> args) {
        c.status = ChildStatus.RESTARTING;
        starting = c;
        try {
            Pid pid = spawn(c, args);
            c.pid = pid;
            c.status = ChildStatus.RUNNING;
            return pid;
        } catch (ProcessCrashedException e) {
            if (!(e.reason() instanceof ExitReason.Normal)) throw e;
            c.lastExitReason = ExitReason.NORMAL; // init ended normally without starting: OTP's ignore
            return null;
        } finally {
            starting = null;
        }
    }

    private Pid spawn(Child c, List<Object> args) {
        if (c.isPoolMember()) {
            WorkerTemplate t = c.template;
            return node.spawn(SpawnOptions.anonymous().withMailboxCapacity(t.mailboxCapacity())
                    .withMaxMemoryBytes(t.maxMemoryBytes()).withLinkTo(self), t.behavior().apply(args));
        }
        return switch (c.spec) {
            case WorkerSpec w -> node.spawn(SpawnOptions.named(w.name()).withMailboxCapacity(w.mailboxCapacity())
                    .withMaxMemoryBytes(w.maxMemoryBytes()).withHibernateAfter(w.hibernateAfter()).withLinkTo(self), w.behavior().get());
            case SupervisorSpec s -> {
                SupervisorBehavior nested = new SupervisorBehavior(node, onDemand, s, self);
                c.nested = nested;
                yield node.spawn(SpawnOptions.named(s.name()).withTrapExits(true).withLinkTo(self), nested);
            }
        };
    }

    private void waitOnDemand(Child c) {
        c.status = ChildStatus.IDLE;
        onDemand.register(c.name(), this);
    }

    // ---- messages ---------------------------------------------------------------------------

    @Override
    public Object handle(Object message) {
        if (message instanceof Request && isStopping()) throw new NoProcessException(spec.name());
        return switch (message) {
            case Exit e -> {
                onExit(e);
                yield null;
            }
            case TryAgain t -> {
                tryAgain(t.child());
                yield null;
            }
            case RestartChild r -> restartRunning(r.child());
            case StartOnDemand r -> startOnDemand(r.child());
            case StartChild r -> startChild(r.spec());
            case StartPoolChild r -> startPoolChild(r.args());
            case TerminateChild r -> {
                terminateChild(r.child());
                yield null;
            }
            case TerminatePoolChild r -> {
                terminatePoolChild(r.pid());
                yield null;
            }
            case RestartStoppedChild r -> restartChild(r.child());
            case DeleteChild r -> {
                deleteChild(r.child());
                yield null;
            }
            case WhichChildren w -> childSnapshots();
            case CountChildren c -> countChildren();
            default -> {
                log.warn("supervisor '{}' ignored an unexpected message: {}", spec.name(), message);
                yield null;
            }
        };
    }

    /** Requests about children (unknown name, a start that fails) answer the caller; they never crash the supervisor. */
    @Override
    public boolean isDeclaredFailure(Object message, Throwable failure) {
        return message instanceof Request && failure instanceof RuntimeException;
    }

    private void onExit(Exit e) {
        if (e.from().equals(parent)) {
            // Our parent is gone: take the subtree down with the same reason, as OTP does.
            stopAllChildren(ChildStatus.STOPPED);
            ProcessContext.stopSelf(e.reason());
            return;
        }
        Child c = childOf(e.from());
        if (c == null) return; // an incarnation we already replaced or stopped: stale, nothing to do
        c.pid = null;
        onChildExit(c, e.reason());
    }

    /** OTP's {@code restart/2}: the child ended with {@code reason}; restart it (and its group) or let it rest. */
    private void onChildExit(Child c, ExitReason reason) {
        c.lastExitReason = reason;
        if (isStopping() || !c.restart().restartsAfter(reason)) {
            rest(c);
            return;
        }
        if (!intensity.addRestart(System.nanoTime())) {
            giveUp(c, reason);
            return;
        }
        c.status = ChildStatus.RESTARTING;
        restart(c);
    }

    /** A retry of a failed restart, unless the child was started, stopped or deleted in the meantime. */
    private void tryAgain(Child c) {
        if (c.pid != null || c.status != ChildStatus.RESTARTING || !isMember(c) || isStopping()) return;
        if (!intensity.addRestart(System.nanoTime())) {
            giveUp(c, c.lastExitReason);
            return;
        }
        restart(c);
    }

    /**
     * A child that ended and is not restarted: OTP deletes temporary children and pool members,
     * and keeps the others, not running, for a manual restart.
     */
    private void rest(Child c) {
        if (c.restart() == RestartType.TEMPORARY || c.isPoolMember()) {
            remove(c);
        } else {
            c.status = c.isOnDemand() && !isStopping() ? ChildStatus.IDLE : ChildStatus.STOPPED;
        }
    }

    /**
     * Restarts {@code c} and, per strategy, its siblings: those stop first (reverse order), the old
     * subtrees are waited for until dead (so no new child races a dying one for its name), then all
     * start in order. Temporary siblings are dropped (OTP keeps no start arguments for them).
     */
    private void restart(Child c) {
        List<Child> group = switch (spec.strategy()) {
            case ONE_FOR_ONE, SIMPLE_ONE_FOR_ONE -> List.of(c);
            case ONE_FOR_ALL -> List.copyOf(children);
            case REST_FOR_ONE -> List.copyOf(children.subList(children.indexOf(c), children.size()));
        };
        for (int i = group.size() - 1; i >= 0; i--) stopChild(group.get(i));
        for (Child g : group) awaitOldSubtree(g);
        for (Child g : group) {
            if (g != c && g.restart() == RestartType.TEMPORARY) {
                remove(g);
                continue;
            }
            if (g != c && g.isOnDemand() && g.status == ChildStatus.IDLE) continue; // never started: stays on demand
            Pid pid;
            try {
                pid = start(g);
            } catch (RuntimeException e) {
                g.pid = null;
                g.status = ChildStatus.RESTARTING;
                g.lastExitReason = reasonOf(e);
                log.warn("supervisor '{}' could not restart '{}': {}; trying again", spec.name(), g.name(), e.toString());
                node.send(self, new TryAgain(g)); // via the mailbox: bounded by intensity, never a spin
                return;
            }
            if (pid == null) {
                rest(g);
                continue;
            }
            if (g.isPoolMember()) rekeyPool(g, pid);
            g.restarts++;
            if (log.isWarnEnabled()) { // describe() renders the cause: not for a log that is off
                log.warn("supervisor '{}' restarted '{}' as {} after {}", spec.name(), g.name(), pid, describe(g.lastExitReason));
            }
            node.listeners.restarted(spec.name(), pid);
        }
    }

    /**
     * Too many restarts in the period: stop every child (reverse order) and exit {@code shutdown},
     * as OTP's supervisor does, so a transient parent does not restart it; the escalation is
     * reported to listeners and logged.
     */
    private void giveUp(Child c, ExitReason reason) {
        log.error("supervisor '{}' escalated: more than {} restarts within {} (last: '{}' exited with {})",
                spec.name(), spec.intensity(), spec.period(), c.name(), describe(reason));
        gaveUp = true;
        c.status = ChildStatus.ESCALATED;
        stopAllChildren(ChildStatus.ESCALATED);
        node.listeners.escalated(spec.name(), self);
        ProcessContext.stopSelf(ExitReason.SHUTDOWN);
    }

    // ---- requests (OTP's supervisor API) ------------------------------------------------------

    private Pid startOnDemand(String name) {
        Child c = named(name).orElseThrow(() -> new NoProcessException(name));
        if (c.pid != null) return c.pid;
        if (c.status == ChildStatus.RESTARTING) throw new NoProcessException(name); // between incarnations
        Pid pid;
        try {
            pid = start(c);
        } catch (RuntimeException e) {
            c.status = ChildStatus.IDLE; // the next call tries again
            c.lastExitReason = reasonOf(e);
            throw e;
        }
        if (pid == null) {
            rest(c);
            throw new NoProcessException(name);
        }
        return pid;
    }

    private Pid startChild(ChildSpec childSpec) {
        if (spec.isSimpleOneForOne()) {
            throw problem(Problem.SIMPLE_ONE_FOR_ONE, "supervisor '" + spec.name()
                    + "' is simple-one-for-one: start its children with arguments, not with a child spec", null, null);
        }
        Optional<Child> existing = named(childSpec.name());
        if (existing.isPresent()) {
            Pid running = existing.get().pid;
            if (running != null) throw problem(Problem.ALREADY_STARTED, "'" + childSpec.name() + "' already runs as " + running, running, null);
            throw problem(Problem.ALREADY_PRESENT, "'" + childSpec.name() + "' exists and is not running: restart or delete it", null, null);
        }
        Child c = Child.named(childSpec);
        if (c.isOnDemand()) {
            add(c);
            waitOnDemand(c);
            return null;
        }
        Pid pid = startRequested(c);
        if (pid != null || c.restart() != RestartType.TEMPORARY) add(c); // OTP keeps an ignored child, unless temporary
        if (pid == null) c.status = ChildStatus.STOPPED;
        return pid;
    }

    private Pid startPoolChild(List<Object> args) {
        if (!spec.isSimpleOneForOne()) {
            throw problem(Problem.SIMPLE_ONE_FOR_ONE, "supervisor '" + spec.name()
                    + "' is not simple-one-for-one: start its children with a child spec", null, null);
        }
        Child c = Child.poolMember(spec.template(), args);
        Pid pid;
        try {
            pid = start(c, args);
        } catch (RuntimeException e) {
            throw problem(Problem.START_FAILED, "supervisor '" + spec.name() + "' could not start a '" + c.name() + "': " + e.getMessage(), null, e);
        }
        if (pid != null) rekeyPool(c, pid); // an ignored start leaves nothing behind
        return pid;
    }

    private void terminateChild(String name) {
        Child c = requireNamed(name);
        stopChild(c);
        if (c.restart() == RestartType.TEMPORARY) remove(c);
        else c.status = c.isOnDemand() ? ChildStatus.IDLE : ChildStatus.STOPPED;
    }

    private void terminatePoolChild(Pid pid) {
        Child c = spec.isSimpleOneForOne() ? pool.get(pid) : null;
        if (c == null) {
            // OTP: a pid that is no longer alive is fine; a live process that is not ours is not.
            if (node.isAlive(pid) || !spec.isSimpleOneForOne()) {
                throw problem(Problem.NOT_FOUND, "supervisor '" + spec.name() + "' has no child " + pid, null, null);
            }
            return;
        }
        stopChild(c);
        remove(c);
    }

    /** OTP's {@code restart_child}: only a child that is not running and not being restarted. */
    private Pid restartChild(String name) {
        Child c = requireNamed(name);
        if (c.pid != null) throw problem(Problem.RUNNING, "'" + name + "' is running as " + c.pid + ": terminate it first", c.pid, null);
        if (c.status == ChildStatus.RESTARTING) throw problem(Problem.RESTARTING, "supervisor '" + spec.name() + "' is restarting '" + name + "'", null, null);
        return startManually(c);
    }

    /** The actuator's restart: stop the running child gracefully, then start it fresh. */
    private Pid restartRunning(String name) {
        Child c = requireNamed(name);
        if (c.pid == null && c.status == ChildStatus.RESTARTING) {
            throw problem(Problem.RESTARTING, "supervisor '" + spec.name() + "' is restarting '" + name + "'", null, null);
        }
        stopChild(c);
        return startManually(c);
    }

    private void deleteChild(String name) {
        Child c = requireNamed(name);
        if (c.pid != null) throw problem(Problem.RUNNING, "'" + name + "' is running as " + c.pid + ": terminate it first", c.pid, null);
        if (c.status == ChildStatus.RESTARTING) throw problem(Problem.RESTARTING, "supervisor '" + spec.name() + "' is restarting '" + name + "'", null, null);
        remove(c);
    }

    private ChildCounts countChildren() {
        if (spec.isSimpleOneForOne()) {
            int active = (int) pool.values().stream().filter(c -> c.pid != null).count();
            return new ChildCounts(1, active, 0, pool.size());
        }
        int active = 0, supervisors = 0;
        for (Child c : children) {
            if (c.pid != null) active++;
            if (c.isSupervisor()) supervisors++;
        }
        return new ChildCounts(children.size(), active, supervisors, children.size() - supervisors);
    }

    /**
     * A start asked for by a caller (not a restart after an exit): a failure is the caller's answer,
     * leaves the child not running and does not count toward intensity, as in OTP.
     */
    private Pid startRequested(Child c) {
        try {
            return start(c);
        } catch (RuntimeException e) {
            c.pid = null;
            c.status = ChildStatus.STOPPED;
            c.lastExitReason = reasonOf(e);
            throw problem(Problem.START_FAILED, "supervisor '" + spec.name() + "' could not start '" + c.name() + "': " + e.getMessage(), null, e);
        }
    }

    private Pid startManually(Child c) {
        Pid pid = startRequested(c);
        if (pid == null) {
            rest(c);
            return null;
        }
        c.restarts++;
        log.warn("supervisor '{}' restarted '{}' as {} on request", spec.name(), c.name(), pid);
        node.listeners.restarted(spec.name(), pid);
        return pid;
    }

    // ---- on-demand starts, on the caller's thread ----------------------------------------------

    /**
     * Asks this supervisor to start its non-resident child {@code child} for a caller that allows
     * {@code timeout} in all. Runs on the caller's thread. A timeout names the child, not the
     * supervisor; a supervisor that is gone or going answers {@link NoProcessException} for the
     * child. A child that calls its on-demand sibling from its own start fails at once: the
     * supervisor, waiting for that start, could not start the sibling before it ends.
     */
    /**
     * Stops the running non-resident child {@code child} (drained within its shutdown timeout); it
     * stays on demand, started again by the next call. Runs on the caller's thread.
     */
    public void idleOnDemand(String child, Duration timeout) {
        Pid supervisor = self;
        if (supervisor == null || !node.isAlive(supervisor)) return; // gone: so is its child
        try {
            node.call(supervisor, new TerminateChild(child), timeout);
        } catch (NoProcessException e) {
            // the supervisor ended meanwhile, and its children with it
        }
    }

    public Pid startOnDemand(String child, Duration timeout) {
        Process caller = Current.orNull();
        Child beingStarted = starting;
        if (caller != null && beingStarted != null && beingStarted.pid == null
                && caller.pid().name().equals(beingStarted.name())) {
            throw new RusmException("'" + beingStarted.name() + "' called '" + child + "' while starting, but '" + child
                    + "' starts on demand through supervisor '" + spec.name() + "', which is waiting for '" + beingStarted.name()
                    + "' to finish starting: make '" + child + "' resident and declare it before '" + beingStarted.name()
                    + "', or call it after start");
        }
        Pid supervisor = self;
        if (supervisor == null || !node.isAlive(supervisor)) throw new NoProcessException(child);
        try {
            return (Pid) node.call(supervisor, new StartOnDemand(child), timeout);
        } catch (CallTimeoutException e) {
            throw new CallTimeoutException(child, timeout);
        } catch (NoProcessException e) {
            throw new NoProcessException(child);
        } catch (ProcessCrashedException e) {
            if (supervisor.equals(e.pid())) throw new NoProcessException(child); // the supervisor ended meanwhile
            throw e; // the child's own start failed
        }
    }

    // ---- stop -------------------------------------------------------------------------------

    /** Stops {@code pid} by OTP's shutdown rules (0: brutal kill, infinity: no limit); for {@link io.rusm.Supervisor#stop()}. */
    public static ExitReason stop(Runtime node, Pid pid, Duration timeout) {
        return ChildShutdown.stop(node, pid, timeout);
    }

    @Override
    public void terminate() {
        if (!gaveUp) stopAllChildren(ChildStatus.STOPPED);
    }

    /** Stops every child: the named ones in reverse start order, a pool all at once (as OTP does). */
    private void stopAllChildren(ChildStatus after) {
        List<Pid> members = new ArrayList<>();
        for (Child c : pool.values()) {
            Pid pid = c.pid;
            if (pid != null) {
                node.unlink(self, pid);
                members.add(pid);
            }
        }
        if (!members.isEmpty()) ChildShutdown.stopAll(node, members, spec.template().shutdownTimeout());
        pool.clear();
        for (int i = children.size() - 1; i >= 0; i--) {
            Child c = children.get(i);
            stopChild(c);
            c.status = after;
        }
    }

    /**
     * OTP's {@code shutdown/2}: stops the running child within its shutdown timeout (0 kills at
     * once, infinity waits). Unlinks first so its exit is not taken for a crash.
     */
    private void stopChild(Child c) {
        Pid pid = c.pid;
        if (pid == null) return;
        node.unlink(self, pid);
        c.lastExitReason = ChildShutdown.stop(node, pid, c.shutdownTimeout());
        c.pid = null;
    }

    /**
     * Before a nested supervisor starts again, the processes of its previous incarnation must be
     * gone: a killed supervisor's children die on their own link signals, and a new child must not
     * find its name still held by the old one. Each is waited for within its shutdown timeout and
     * killed past it.
     */
    private void awaitOldSubtree(Child c) {
        SupervisorBehavior old = c.nested;
        if (old != null) old.awaitChildrenGone();
    }

    private void awaitChildrenGone() {
        for (Child c : pool.values()) {
            Pid pid = c.pid;
            if (pid != null) ChildShutdown.awaitGone(node, pid, c.shutdownTimeout());
        }
        for (Child c : children) {
            Pid pid = c.pid;
            if (pid != null) ChildShutdown.awaitGone(node, pid, c.shutdownTimeout());
            awaitOldSubtree(c);
        }
    }

    // ---- bookkeeping --------------------------------------------------------------------------

    private Child childOf(Pid pid) {
        Child c = pool.get(pid);
        if (c != null) return pid.equals(c.pid) ? c : null;
        for (Child n : children) if (pid.equals(n.pid)) return n;
        return null;
    }

    private boolean isMember(Child c) {
        return c.isPoolMember() ? c.poolKey != null && pool.get(c.poolKey) == c : children.contains(c);
    }

    /** Files a pool member under its new pid. */
    private void rekeyPool(Child c, Pid now) {
        if (c.poolKey != null) pool.remove(c.poolKey, c);
        c.poolKey = now;
        pool.put(now, c);
    }

    private void remove(Child c) {
        if (c.isPoolMember()) {
            if (c.poolKey != null) pool.remove(c.poolKey, c);
            return;
        }
        if (children.remove(c)) releaseNames(c.spec);
        onDemand.unregister(c.name(), this);
    }

    /** A child added by request: its names are held like those of the spec's children. */
    private void add(Child c) {
        children.add(c);
        holdNames(c.spec);
    }

    private Optional<Child> named(String name) {
        for (Child c : children) if (c.name().equals(name)) return Optional.of(c);
        return Optional.empty();
    }

    private Child requireNamed(String name) {
        if (spec.isSimpleOneForOne()) {
            throw problem(Problem.SIMPLE_ONE_FOR_ONE, "supervisor '" + spec.name()
                    + "' is simple-one-for-one: its children have no names, address them by pid", null, null);
        }
        return named(name).orElseThrow(() -> problem(Problem.NOT_FOUND, "supervisor '" + spec.name() + "' has no child '" + name + "'", null, null));
    }

    private static SupervisorChildException problem(Problem p, String message, Pid pid, Throwable cause) {
        return new SupervisorChildException(p, message, pid, cause);
    }

    private boolean isStopping() {
        var me = Current.orNull();
        return me != null && me.mailbox().isClosed();
    }

    private static ExitReason reasonOf(RuntimeException e) {
        return e instanceof ProcessCrashedException pce ? pce.reason() : ExitReason.crashed(e);
    }

    private static String describe(ExitReason r) {
        return r instanceof ExitReason.Crashed c ? "crashed: " + c.cause() : r == null ? "start failure" : r.label();
    }

    // ---- views ------------------------------------------------------------------------------

    /** The children's current state (named ones in start order, then pool members), read from live state. */
    public List<ChildSnapshot> childSnapshots() {
        Pid me = self;
        return childSnapshots(me != null && node.isAlive(me));
    }

    List<ChildSnapshot> childSnapshots(boolean supervisorAlive) {
        List<ChildSnapshot> out = new ArrayList<>(children.size() + pool.size());
        for (Child c : children) out.add(c.snapshot(node, supervisorAlive));
        for (Child c : pool.values()) out.add(c.snapshot(node, supervisorAlive));
        return out;
    }
}
