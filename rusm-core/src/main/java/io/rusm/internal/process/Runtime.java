package io.rusm.internal.process;

import io.rusm.Behavior;
import io.rusm.CallInterruptedException;
import io.rusm.CallTimeoutException;
import io.rusm.ExitReason;
import io.rusm.MailboxFullException;
import io.rusm.MonitorRef;
import io.rusm.NoProcessException;
import io.rusm.Pid;
import io.rusm.ProcessCrashedException;
import io.rusm.RusmException;
import io.rusm.SpawnOptions;
import io.rusm.event.CallOutcome;
import io.rusm.internal.memory.MemoryGuard;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The machinery behind {@link io.rusm.Node}: spawning, addressing, calls, sends, signals.
 * Kept apart from the public facade so the facade reads as the API and this as the mechanism.
 */
public final class Runtime {
    final String nodeName;
    final Registry registry = new Registry();
    public final Listeners listeners = new Listeners();
    private final AtomicLong seq = new AtomicLong();
    private final AtomicLong anonSeq = new AtomicLong();
    private final AtomicLong monitorSeq = new AtomicLong();
    private final Pid nodePid;

    public Runtime(String nodeName) {
        this.nodeName = nodeName;
        this.nodePid = new Pid(nodeName, "<node>", 1);
    }

    /** Where every process's timers wait; the shared JVM scheduler unless a test puts a manual clock here. */
    private volatile io.rusm.internal.timer.TimerScheduler timerScheduler = io.rusm.internal.timer.SharedTimerScheduler.INSTANCE;

    /** Sets the scheduler timers started from now on use (tests: a clock they move by hand). */
    public void timerScheduler(io.rusm.internal.timer.TimerScheduler scheduler) {
        this.timerScheduler = java.util.Objects.requireNonNull(scheduler, "scheduler");
    }

    public io.rusm.internal.timer.TimerScheduler timerScheduler() {
        return timerScheduler;
    }

    /** Each service's {@code Kv} for its reminders, or null (no reminders on this node). */
    private volatile java.util.function.Function<String, io.rusm.Kv> reminderStore;

    public void reminderStore(java.util.function.Function<String, io.rusm.Kv> store) {
        this.reminderStore = store;
    }

    public java.util.function.Function<String, io.rusm.Kv> reminderStore() {
        return reminderStore;
    }

    /** Wake-ups for the due reminders of services that are not running (started on demand). */
    private final io.rusm.internal.timer.ReminderWakeups reminderWakeups = new io.rusm.internal.timer.ReminderWakeups(
            this::timerScheduler, this::reminderStore, name -> byName(name) != null);

    public io.rusm.internal.timer.ReminderWakeups reminderWakeups() {
        return reminderWakeups;
    }

    public String nodeName() {
        return nodeName;
    }

    /** Where names live when this node is one of a cluster; null for a lone node. */
    volatile io.rusm.spi.Placement placement;

    public void placement(io.rusm.spi.Placement placement) {
        this.placement = placement;
    }

    public io.rusm.spi.Placement placement() {
        return placement;
    }

    /** Whether {@code pid} names a process of another node. */
    public boolean isRemote(Pid pid) {
        return placement != null && !pid.node().equals(nodeName);
    }

    /**
     * The calling process (a supervisor) keeps {@code name}'s incarnation counter while it may
     * restart it; the hold ends with {@link #releaseName} or with the process. Outside a process the
     * hold lasts until released.
     */
    public void holdName(String name) {
        Process self = Current.orNull();
        if (self == null) registry.hold(name);
        else self.holdName(name);
    }

    /** Undoes {@link #holdName}; the name is forgotten once no process holds it either. */
    public void releaseName(String name) {
        Process self = Current.orNull();
        if (self == null) registry.release(name);
        else self.releaseName(name);
    }

    /** Names the node remembers (live processes and held names), for leak checks. */
    public int rememberedNames() {
        return registry.names();
    }

    /**
     * Objects no process's memory cap is charged for: shared infrastructure a service holds a
     * reference to (the node, injected beans). Set by integrations; the node and Kv stores always are.
     */
    private volatile Predicate<Object> sharedObjects = o -> false;

    public void sharedObjects(Predicate<Object> shared) {
        this.sharedObjects = shared;
    }

    public Predicate<Object> sharedObjects() {
        return sharedObjects;
    }

    // ---- spawning -------------------------------------------------------------------------

    /** Idle looks before a process hibernates when its options give no hibernate-after ({@link Hibernation#looks}). */
    private volatile int hibernateLooks = Hibernation.looks(io.rusm.Node.DEFAULT_HIBERNATE_AFTER);

    /** The hibernate-after of processes whose spawn options give none. */
    public void hibernateAfter(Duration after) {
        this.hibernateLooks = Hibernation.looks(after);
    }

    public Pid spawn(SpawnOptions options, Behavior behavior) {
        Current.checkAlive("spawn");
        boolean anonymous = options.name() == null;
        String name = anonymous ? "<anon-" + anonSeq.incrementAndGet() + ">" : options.name();
        int looks = options.hibernateAfter() == null ? hibernateLooks : Hibernation.looks(options.hibernateAfter());
        Process p = registry.register(name, anonymous, incarnation -> new Process(this, new Pid(nodeName, name, incarnation),
                seq.incrementAndGet(), behavior, options.mailboxCapacity(), options.trapExits(), looks));
        if (options.maxMemoryBytes() > 0) p.capMemory(new MemoryGuard(options.maxMemoryBytes(), sharedObjects));
        if (options.linkTo() != null) {
            Process other = registry.byPid(options.linkTo());
            if (other == null) {
                p.terminate(ExitReason.NOPROC, false);
                // As documented on Node.spawn: the new process died of the noproc exit signal.
                throw new ProcessCrashedException(p.pid, ExitReason.NOPROC);
            }
            Process.link(p, other);
        }
        ExitReason failed = awaitStart(p, p.start(), options.startTimeout());
        if (failed != null) throw new ProcessCrashedException(p.pid, failed);
        return p.pid;
    }

    private static ExitReason awaitStart(Process p, SyncCall started, Duration timeout) {
        try {
            // the wait's own exceptions are replaced below, so their label is the name as is: no pid string built per spawn
            return (ExitReason) started.await(Deadlines.after(System.nanoTime(), timeout), p.mailbox, p.pid.name(), timeout);
        } catch (CallTimeoutException e) {
            p.terminate(ExitReason.KILLED, false);
            throw new RusmException(p.pid + " did not finish init within " + timeout + " and was killed");
        } catch (CallInterruptedException e) { // the interrupt status is kept
            p.terminate(ExitReason.KILLED, false);
            throw new RusmException("interrupted while starting " + p.pid);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) { // not thrown: nothing fails the start slot, only a reply ends the wait otherwise
            throw new IllegalStateException(e);
        }
    }

    // ---- addressing -----------------------------------------------------------------------

    public Process byName(String name) {
        return registry.byName(name);
    }

    public Process byPid(Pid pid) {
        return registry.byPid(pid);
    }

    private Process require(Pid pid) {
        Process p = registry.byPid(pid);
        if (p == null) throw new NoProcessException(pid.toString());
        return p;
    }

    public int processCount() {
        return registry.size();
    }

    /** Live processes, most recently spawned first (the order to stop them in). */
    public List<Process> liveNewestFirst() {
        List<Process> all = registry.all();
        all.removeIf(p -> !p.isAlive());
        all.sort(Comparator.comparingLong((Process p) -> p.seq).reversed());
        return all;
    }

    // ---- calls and sends ------------------------------------------------------------------

    /**
     * A synchronous call to {@code target} (resolved by the caller: null means not running).
     * Re-throws the handler's declared exception as is; reports the outcome to listeners under
     * {@code service} (the addressed name); {@code label} names the target in exceptions.
     */
    public Object call(Process target, String service, String label, Object message, Duration timeout) throws Throwable {
        long t0 = System.nanoTime();
        CallOutcome outcome = CallOutcome.OK;
        try {
            SyncCall call = new SyncCall(message);
            Process caller = Current.beginAct("call"); // fenced: the enqueue lands before the caller's death or not at all
            try {
                if (target == null) throw new NoProcessException(label);
                if (target == caller) {
                    throw new IllegalStateException(target.pid + " called itself: the call could never be answered");
                }
                enqueue(target, call);
            } finally {
                Current.endAct(caller);
            }
            return call.await(Deadlines.after(t0, timeout), target.mailbox, label, timeout);
        } catch (Throwable t) {
            outcome = CallOutcome.of(t);
            throw t;
        } finally {
            if (!listeners.isEmpty()) listeners.callFinished(service, message, System.nanoTime() - t0, outcome);
        }
    }

    /** An asynchronous call: the future completes with the reply or fails like {@link #call} would throw. */
    public CompletableFuture<Object> callAsync(Process target, String service, String label, Object message, Duration timeout) {
        long t0 = System.nanoTime();
        CompletableFuture<Object> future = new CompletableFuture<>();
        try {
            AsyncCall call = new AsyncCall(message, future);
            Process caller = Current.beginAct("call");
            try {
                if (target == null) throw new NoProcessException(label);
                enqueue(target, call);
            } finally {
                Current.endAct(caller);
            }
            long nanos = Deadlines.nanos(timeout);
            if (nanos != Deadlines.NONE) call.timeOutAfter(nanos, new CallTimeoutException(label, timeout));
        } catch (Throwable t) {
            future.completeExceptionally(t);
        }
        if (listeners.isEmpty()) return future;
        // Report before the caller sees the outcome, and pass a failure on as is: the future of
        // whenComplete would wrap it in a CompletionException, but only when listeners are present.
        CompletableFuture<Object> reported = new CompletableFuture<>();
        future.whenComplete((v, t) -> {
            listeners.callFinished(service, message, System.nanoTime() - t0, CallOutcome.of(t));
            if (t == null) reported.complete(v);
            else reported.completeExceptionally(t);
        });
        return reported;
    }

    private static void enqueue(Process target, Call call) {
        switch (target.mailbox.offer(call)) {
            case ACCEPTED -> { }
            case FULL -> throw new MailboxFullException(target.pid, target.mailbox.capacity());
            case CLOSED -> throw new MailboxClosedException(target.pid);
        }
    }

    /**
     * A send that says whether it landed: false (nothing reported) when {@code target}'s mailbox is
     * closed, so rusm's routing can give the message to the next incarnation instead of dropping it.
     *
     * @throws MailboxFullException if the mailbox is at capacity
     */
    public boolean offer(Process target, Object message) {
        Process acting = Current.beginAct("send");
        Mailbox.Offer offer;
        try {
            offer = target.mailbox.offer(new Envelope(message, false));
        } finally {
            Current.endAct(acting);
        }
        if (offer == Mailbox.Offer.FULL) throw new MailboxFullException(target.pid, target.mailbox.capacity());
        return offer == Mailbox.Offer.ACCEPTED;
    }


    /**
     * Fire-and-forget. A message to a process that is not running (or is stopping) is dropped and
     * reported to listeners; a full mailbox is back-pressure and throws {@link MailboxFullException}.
     */
    public void send(Process target, String service, Object message) {
        Process acting = Current.beginAct("send");
        Mailbox.Offer offer;
        try {
            if (target == null) {
                offer = Mailbox.Offer.CLOSED;
            } else {
                offer = target.mailbox.offer(new Envelope(message, false));
            }
        } finally {
            Current.endAct(acting);
        }
        switch (offer) {
            case ACCEPTED -> { }
            case FULL -> throw new MailboxFullException(target.pid, target.mailbox.capacity());
            case CLOSED -> listeners.sendDropped(service, message, "noproc");
        }
    }

    // ---- by pid (for rusm's own machinery: supervisors) ---------------------------------------

    /** Whether {@code pid} is the running incarnation. */
    public boolean isAlive(Pid pid) {
        return registry.byPid(pid) != null;
    }

    /** Calls one incarnation; the handler's declared exception and rusm's failures are thrown as is. */
    public Object call(Pid pid, Object request, Duration timeout) {
        try {
            return call(registry.byPid(pid), pid.name(), pid.toString(), request, timeout);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new RusmException("call to " + pid + " failed: " + t, t);
        }
    }

    /** Sends to one incarnation (dropped and reported if it is not running). */
    public void send(Pid pid, Object message) {
        send(registry.byPid(pid), pid.name(), message);
    }

    /** The untrappable kill. */
    public void kill(Pid pid) {
        exit(pid, ExitReason.KILLED);
    }

    // ---- signals, links, monitors -----------------------------------------------------------

    /** The pid that signals come from: the calling process, or the node itself for plain threads. */
    public Pid callerPid() {
        Process self = Current.orNull();
        return self != null ? self.pid : nodePid;
    }

    public void exit(Pid pid, ExitReason reason) {
        Current.checkAlive("exit signal");
        Process p = registry.byPid(pid);
        if (p != null) p.exitSignal(callerPid(), reason, false);
    }

    public MonitorRef monitor(Pid watcher, Pid target) {
        Current.checkAlive("monitor");
        Process w = require(watcher);
        MonitorRef ref = new MonitorRef(watcher, target, monitorSeq.incrementAndGet());
        if (isRemote(target)) {
            if (w.recordMonitoring(ref, null)) placement.monitor(ref, reason -> w.deliverSystem(new io.rusm.Down(ref, target, reason)));
            return ref;
        }
        Process t = registry.byPid(target);
        if (t == null) w.monitorGone(ref);
        else t.addMonitor(ref, w);
        return ref;
    }

    /** Removes the monitor from both sides; a {@code Down} already queued for it is dropped unseen. */
    public boolean demonitor(MonitorRef ref) {
        Current.checkAlive("demonitor");
        Process w = registry.byPid(ref.watcher());
        boolean was = w != null && w.demonitor(ref);
        if (was && isRemote(ref.target())) placement.demonitor(ref);
        return was;
    }

    public void link(Pid a, Pid b) {
        Current.checkAlive("link");
        Process pa = require(a);
        if (isRemote(b)) { // one way: the remote end's exit reaches pa; pa's own exit is not sent there
            MonitorRef ref = new MonitorRef(a, b, monitorSeq.incrementAndGet());
            placement.monitor(ref, reason -> pa.exitSignal(b, reason, true));
            return;
        }
        Process pb = registry.byPid(b);
        if (pb == null) pa.exitSignal(b, ExitReason.NOPROC, true);
        else Process.link(pa, pb);
    }

    public void unlink(Pid a, Pid b) {
        Current.checkAlive("unlink");
        Process pa = registry.byPid(a);
        Process pb = registry.byPid(b);
        if (pa != null && pb != null) Process.unlink(pa, pb);
    }

    /**
     * Graceful stop: the process handles what is queued, runs its stop hook and ends with
     * {@code shutdown}; past {@code timeout} it is killed. Returns how it ended (NOPROC if it was not
     * running).
     */
    public ExitReason stop(Pid pid, Duration timeout) {
        Current.checkAlive("stop");
        Process p = registry.byPid(pid);
        if (p == null) return ExitReason.NOPROC;
        p.requestStop();
        // A process stopping itself cannot wait for its own end: it ends once this message returns
        // and the queue is drained.
        if (p == Current.orNull()) return ExitReason.SHUTDOWN;
        return awaitExitOrKill(p, Deadlines.after(System.nanoTime(), timeout));
    }

    static ExitReason awaitExitOrKill(Process p, long deadlineNanos) {
        try {
            return Deadlines.await(p.exitFuture(), deadlineNanos);
        } catch (TimeoutException | ExecutionException e) {
            p.terminate(ExitReason.KILLED, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.terminate(ExitReason.KILLED, false);
        }
        return p.exitFuture().getNow(ExitReason.KILLED);
    }

    /** Stops every live process: newest first asked, all draining in parallel, stragglers killed at the deadline. */
    public void stopAll(Duration timeout) {
        long deadline = Deadlines.after(System.nanoTime(), timeout);
        List<Process> live = liveNewestFirst();
        live.forEach(Process::requestStop);
        for (Process p : live) awaitExitOrKill(p, deadline);
    }
}
