package io.rusm;

import io.rusm.internal.supervisor.SupervisorBehavior;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
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

    /** Whether it is still running (not given up, not stopped). */
    public boolean isAlive() {
        return !exit.isDone();
    }

    /**
     * Completes when the supervisor has ended: with {@link ExitReason#ESCALATED} when it gave up
     * after too many restarts (its process exits {@code shutdown}, as OTP's does, which is what
     * monitors and links see), else with its exit reason.
     */
    public CompletableFuture<ExitReason> exitFuture() {
        return exit.copy();
    }

    /** Whether it gave up after more restarts than its intensity allows. */
    public boolean gaveUp() {
        return behavior.gaveUp();
    }

    /**
     * The whole tree under this supervisor as it is now, read from live state: once the supervisor
     * has ended (even killed), nothing under it shows as running.
     */
    public ChildSnapshot.Supervisor snapshot() {
        ExitReason r = exit.getNow(null);
        ChildStatus status = r == null ? ChildStatus.RUNNING : behavior.gaveUp() ? ChildStatus.ESCALATED : ChildStatus.STOPPED;
        SupervisorSpec s = behavior.spec();
        return new ChildSnapshot.Supervisor(s.name(), status, r == null ? pid : null, 0, r, s.strategy(),
                s.intensity(), s.period(), behavior.childSnapshots());
    }

    // ---- OTP's supervisor API ---------------------------------------------------------------

    /**
     * OTP's {@code start_child}: adds {@code child} to this supervisor and starts it (a non-resident
     * worker is only added, to start on its first call). Returns its pid, or empty if it declined
     * to start ({@link StartIgnored}; a non-temporary child is then kept, not running).
     *
     * @throws SupervisorChildException {@code ALREADY_STARTED}, {@code ALREADY_PRESENT}, {@code START_FAILED}
     *                                  (the child is not added), {@code SIMPLE_ONE_FOR_ONE}
     * @throws NoProcessException       if the supervisor is not running
     */
    public Optional<Pid> startChild(ChildSpec child) {
        return Optional.ofNullable(request(new SupervisorBehavior.StartChild(child)));
    }

    /**
     * OTP's {@code start_child} of a {@link Strategy#SIMPLE_ONE_FOR_ONE} supervisor: starts one more
     * child from its {@link WorkerTemplate}, which gets {@code args}. Returns its pid, or empty if
     * it declined to start (nothing is then kept).
     *
     * @throws SupervisorChildException {@code START_FAILED}, or {@code SIMPLE_ONE_FOR_ONE} for another strategy
     */
    public Optional<Pid> startChild(Object... args) {
        return Optional.ofNullable(request(new SupervisorBehavior.StartPoolChild(java.util.Arrays.asList(args))));
    }

    /**
     * OTP's {@code terminate_child}: stops the named child within its shutdown timeout; it stays
     * listed, not running (a temporary child is removed). Stopping a child that is not running
     * (or is being restarted) succeeds.
     *
     * @throws SupervisorChildException {@code NOT_FOUND}, or {@code SIMPLE_ONE_FOR_ONE} (use {@link #terminateChild(Pid)})
     */
    public void terminateChild(String child) {
        request(new SupervisorBehavior.TerminateChild(child));
    }

    /**
     * OTP's {@code terminate_child} by pid, for a simple-one-for-one supervisor: stops that child
     * and forgets it. A pid that is no longer alive succeeds.
     *
     * @throws SupervisorChildException {@code NOT_FOUND} if a live {@code pid} is not its child
     */
    public void terminateChild(Pid child) {
        request(new SupervisorBehavior.TerminatePoolChild(child));
    }

    /**
     * OTP's {@code restart_child}: starts a child that is not running (after {@link #terminateChild}
     * or a transient child's normal end). A failed start answers here, leaves the child not
     * running, and does not count toward the restart intensity. Returns its pid, or empty if it
     * declined to start.
     *
     * @throws SupervisorChildException {@code RUNNING}, {@code RESTARTING}, {@code NOT_FOUND},
     *                                  {@code START_FAILED}, {@code SIMPLE_ONE_FOR_ONE}
     */
    public Optional<Pid> restartChild(String child) {
        return Optional.ofNullable(request(new SupervisorBehavior.RestartStoppedChild(child)));
    }

    /**
     * OTP's {@code delete_child}: forgets a child that is not running.
     *
     * @throws SupervisorChildException {@code RUNNING}, {@code RESTARTING}, {@code NOT_FOUND}, {@code SIMPLE_ONE_FOR_ONE}
     */
    public void deleteChild(String child) {
        request(new SupervisorBehavior.DeleteChild(child));
    }

    /**
     * OTP's {@code which_children}, asked of the supervisor itself (so it reflects every exit it has
     * handled): named children in start order, then simple-one-for-one children in no set order.
     */
    public List<ChildSnapshot> whichChildren() {
        return request(new SupervisorBehavior.WhichChildren());
    }

    /** OTP's {@code count_children}. */
    public ChildCounts countChildren() {
        return request(new SupervisorBehavior.CountChildren());
    }

    /** Requests wait as OTP's do ({@code infinity}): the supervisor answers once it is done with what is before. */
    private <R> R request(SupervisorBehavior.Request r) {
        return node.call(pid, r, ChildSpec.INFINITY);
    }

    /**
     * Stops the tree gracefully: children in reverse start order, each within its shutdown timeout,
     * waiting for the supervisor as long as its own {@link SupervisorSpec#shutdownTimeout()} says
     * ({@link ChildSpec#INFINITY} by default). Returns how its process ended.
     */
    public ExitReason stop() {
        return SupervisorBehavior.stop(node.runtime(), pid, spec().shutdownTimeout());
    }

    @Override
    public String toString() {
        return "Supervisor[" + name() + " " + pid + "]";
    }
}
