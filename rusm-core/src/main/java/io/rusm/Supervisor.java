package io.rusm;

import io.rusm.internal.supervisor.SupervisorBehavior;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A running top-level supervisor, as returned by {@link Node#startSupervisor}. Its tree can be
 * read at any time without waiting on the supervisor ({@link #snapshot()}).
 */
public final class Supervisor {
    private final Node node;
    private final SupervisorBehavior behavior;
    private final Pid pid;
    private final CompletableFuture<ExitReason> exit;

    Supervisor(Node node, SupervisorBehavior behavior, Pid pid, CompletableFuture<ExitReason> exit) {
        this.node = node;
        this.behavior = behavior;
        this.pid = pid;
        this.exit = exit;
    }

    public String name() {
        return behavior.spec().name();
    }

    public Pid pid() {
        return pid;
    }

    public SupervisorSpec spec() {
        return behavior.spec();
    }

    /** Whether it is still running (not escalated, not stopped). */
    public boolean isAlive() {
        return !exit.isDone();
    }

    /** Completes with the supervisor's exit reason ({@code escalated} when it gave up). */
    public CompletableFuture<ExitReason> exitFuture() {
        return exit.copy();
    }

    /** The whole tree under this supervisor as it is now. */
    public ChildSnapshot.Supervisor snapshot() {
        ExitReason r = exit.getNow(null);
        ChildStatus status = r == null ? ChildStatus.RUNNING
                : r instanceof ExitReason.Escalated ? ChildStatus.ESCALATED : ChildStatus.STOPPED;
        SupervisorSpec s = behavior.spec();
        return new ChildSnapshot.Supervisor(s.name(), status, r == null ? pid : null, 0, r, s.strategy(),
                s.intensity(), s.period(), behavior.childSnapshots());
    }

    /**
     * Restarts the named child (anywhere in this supervisor's direct children) with fresh state:
     * a graceful stop within its shutdown timeout, then a new incarnation. Does not count towards
     * the restart intensity.
     */
    public void restartChild(String child) {
        node.call(pid, new SupervisorBehavior.RestartChild(child), spec().shutdownTimeout().plusSeconds(5));
    }

    /** Stops the tree gracefully: children in reverse start order, each within its shutdown timeout. */
    public ExitReason stop() {
        return node.stop(pid, spec().shutdownTimeout());
    }

    @Override
    public String toString() {
        return "Supervisor[" + name() + " " + pid + "]";
    }
}
