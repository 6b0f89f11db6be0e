package io.rusm.internal.process;

import io.rusm.Behavior;
import io.rusm.Down;
import io.rusm.Exit;
import io.rusm.ExitReason;
import io.rusm.MonitorRef;
import io.rusm.Pid;
import io.rusm.ProcessCrashedException;
import io.rusm.internal.memory.MemoryGuard;
import io.rusm.internal.timer.ProcessTimers;
import io.rusm.internal.timer.TimerTick;
import org.slf4j.MDC;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One incarnation of a process: a mailbox, a behavior and the fiber that runs it (while it does not
 * hibernate: {@link Hibernation}; the next message then starts another fiber, which goes on with
 * the same behavior and state).
 *
 * <p>The process ends exactly once, in {@link #terminate}: the first caller to set the exit reason
 * (its own loop after a crash or stop, or anyone who kills it or sends it an exit signal) closes the
 * mailbox, fails every pending call, unregisters the name and notifies monitors and links. That makes
 * the process dead "at once for everyone" even when its own code ignores interruption: a handler
 * still running on a killed fiber can no longer reply, and its mailbox accepts nothing.
 */
public final class Process {
    private static final VarHandle EXIT;
    private static final VarHandle ACTING;
    private static final VarHandle THREAD;
    private static final VarHandle EXITED;
    static {
        try {
            EXIT = MethodHandles.lookup().findVarHandle(Process.class, "exitReason", ExitReason.class);
            ACTING = MethodHandles.lookup().findVarHandle(Process.class, "acting", int.class);
            THREAD = MethodHandles.lookup().findVarHandle(Process.class, "thread", Thread.class);
            EXITED = MethodHandles.lookup().findVarHandle(Process.class, "exited", CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Pid pid;
    final long seq;
    private final Runtime runtime;
    private final Behavior behavior;
    final Mailbox mailbox;
    private volatile boolean trapExits;
    private volatile ExitReason exitReason;
    /**
     * Effects in progress on this process's behalf (a send's enqueue, a Kv commit). Its ending waits
     * for them, so an effect either lands before the death or is fenced: never after it.
     */
    private volatile int acting;
    /** Of {@link #acting}, those entered by the process's own fiber (touched only by that fiber). */
    private int ownActs;
    /** Set by the fiber while it runs a step a kill's interrupt must not break ({@link #beginDeferringInterrupt()}). */
    private volatile boolean deferInterrupt;
    private volatile ExitReason selfStop;
    /** The fiber running the loop now; a new one after each hibernation. */
    private volatile Thread thread;
    /** The first fiber's context class loader, given to every later one (a waker's may differ). */
    private ClassLoader contextLoader;
    /** Sweeps of {@link Hibernation} idle before it hibernates; 0 when it hibernates itself as soon as it is idle, -1 never. */
    final int hibernateLooks;
    /**
     * Answered when init finished (null) or failed (the exit reason), for the spawning thread (the
     * one that makes the process) to wait on: a reply slot rather than a future, so the wait is an
     * untimed park under the call deadline wheel, not a timed park (a JDK timer task per spawn).
     */
    private SyncCall started = new SyncCall(null);
    /** Made when first asked for (most processes are never waited on); completed once {@link #end} is done. */
    private volatile CompletableFuture<ExitReason> exited;
    /** Set when {@link #end} has done everything, just before it completes {@link #exited}. */
    private volatile boolean ended;
    /** Links and monitors, guarded by {@code this}; null until first used (most processes have none). */
    private Set<Process> links;
    /** Enforces the memory cap, or null when the process has none. */
    private MemoryGuard memory;
    /** Monitors on this process: ref to watcher. Guarded by {@code this}. */
    private Map<MonitorRef, Process> monitoredBy;
    /**
     * Monitors this process holds on others: ref to target (null when the target was already
     * gone). Guarded by {@code this}. Lets a dying watcher take its entries out of its targets,
     * and lets a {@code Down} of a monitor removed after it was queued be dropped unseen.
     */
    private Map<MonitorRef, Process> monitoring;
    /** This incarnation's timers; null until it starts one. Created on the fiber, closed by {@link #end}. */
    private volatile ProcessTimers timers;
    /** Names this process keeps remembered (a supervisor's children); released when it ends. Guarded by {@code this}. */
    private List<String> heldNames;
    /** What this incarnation must hold to act, when its name is placed by the cluster; else null. */
    private volatile io.rusm.spi.Ownership ownership;

    Process(Runtime runtime, Pid pid, long seq, Behavior behavior, int mailboxCapacity, boolean trapExits, int hibernateLooks) {
        this.runtime = runtime;
        this.pid = pid;
        this.seq = seq;
        this.behavior = behavior;
        this.hibernateLooks = hibernateLooks;
        this.mailbox = new Mailbox(mailboxCapacity, this);
        this.trapExits = trapExits;
    }

    public Pid pid() {
        return pid;
    }

    void capMemory(MemoryGuard guard) {
        this.memory = guard;
        guard.watch(this::isAlive, () -> deliverSystem(MemoryGuard.MEASURE)); // measured while idle too
    }

    /** Retained bytes at the last memory check, or -1 if the process has no cap or was not measured yet. */
    public long memoryBytes() {
        MemoryGuard m = memory;
        return m == null ? -1 : m.lastBytes();
    }

    /** The memory cap in bytes, or 0 for none. */
    public long memoryLimit() {
        MemoryGuard m = memory;
        return m == null ? 0 : m.limitBytes();
    }

    /** Its cluster ownership (epoch and lease), or null when its name is placed per node. */
    public io.rusm.spi.Ownership ownership() {
        return ownership;
    }

    public Mailbox mailbox() {
        return mailbox;
    }

    public boolean isAlive() {
        return exitReason == null;
    }

    /** The fiber running its loop now, or null (not started yet, or hibernating). */
    Thread fiber() {
        return thread;
    }

    /** Whether one of its timers is due within {@code nanos} (or overdue): it is not idle then. */
    boolean timerDueWithin(long nanos) {
        ProcessTimers t = timers;
        return t != null && t.dueWithin(nanos);
    }

    /** Whether it has no fiber now: idle past its hibernate-after, until its next message. */
    public boolean hibernating() {
        return mailbox.asleep();
    }

    public ExitReason exitReason() {
        return exitReason;
    }

    public boolean trapsExits() {
        return trapExits;
    }

    public void trapExits(boolean trap) {
        this.trapExits = trap;
    }

    @SuppressWarnings("unchecked")
    public CompletableFuture<ExitReason> exitFuture() {
        CompletableFuture<ExitReason> f = exited;
        if (f == null) {
            CompletableFuture<ExitReason> made = new CompletableFuture<>();
            f = (CompletableFuture<ExitReason>) EXITED.compareAndExchange(this, null, made);
            if (f == null) f = made;
        }
        // end() sets `ended`, then reads `exited`; we set `exited`, then read `ended`: one of us completes it.
        if (ended) f.complete(exitReason);
        return f;
    }

    Runtime runtime() {
        return runtime;
    }

    /** Asks the process to end with {@code reason} once the message it is handling returns. */
    public void stopAfterCurrentMessage(ExitReason reason) {
        this.selfStop = reason;
    }

    // ---- start and loop -------------------------------------------------------------------

    SyncCall start() {
        SyncCall s = started; // read before the fiber runs: it nulls the field after init
        contextLoader = Thread.currentThread().getContextClassLoader(); // what a thread started here would inherit
        Hibernation.watch(this);
        // A fiber of its own from the start, not a spare: a thread that parked shallow first (a spare
        // waiting for work) keeps a stack chunk about 1 KB larger once it parks deep, and a busy
        // process that never hibernates would carry that for good.
        Thread.ofVirtual().name(pid.toString()).start(() -> ScopedValue.where(Current.PROCESS, this).run(this::runFirst));
        return s;
    }

    /**
     * Starts a fiber for a process that hibernated, once a message (or the close) came: called by
     * the one who claimed the wake-up in its mailbox. A killed process needs none: its ending ran
     * on the killer's thread and failed what was queued.
     */
    void wake() {
        if (isDead()) return;
        Hibernation.watch(this);
        SpareFibers.run(() -> ScopedValue.where(Current.PROCESS, this).run(this::runAgain));
    }

    /**
     * Makes the calling fiber this process's: the one its mailbox wakes and a kill interrupts; a
     * spare ({@code again}) is also given the pid as its name and the process's class loader.
     */
    private void adoptFiber(boolean again) {
        Thread t = Thread.currentThread();
        if (again) {
            t.setName(pid.toString());
            t.setContextClassLoader(contextLoader);
        }
        thread = t;
        if (isDead()) t.interrupt(); // killed before the fiber was its own: as if the kill had interrupted it
        MDC.put("rusm.service", pid.name());
        MDC.put("rusm.incarnation", Long.toString(pid.incarnation()));
    }

    private void runFirst() {
        adoptFiber(false);
        try {
            try {
                io.rusm.spi.Placement placement = runtime.placement;
                if (placement != null && pid.isNamed() && !isDead()) {
                    ownership = placement.acquire(pid, io.rusm.SpawnOptions.DEFAULT_START_TIMEOUT);
                    if (isDead() && ownership != null) ownership.release(); // killed while it waited
                }
                if (isDead()) return;
                behavior.init();
                if (memory != null && overMemoryCap(null)) return;
                // Reported before spawn() returns, so listeners never see a running process as unstarted.
                if (!isDead()) runtime.listeners.started(pid);
            } catch (Throwable t) {
                // A start declined on purpose (OTP's init returning ignore) ends normal, not as a crash.
                if (io.rusm.StartIgnored.isIn(t)) terminate(ExitReason.NORMAL, false);
                else terminate(ExitReason.crashed(t), true);
                return;
            } finally {
                SyncCall s = started;
                started = null;
                s.reply(exitReason);
            }
            serve();
        } finally {
            MDC.remove("rusm.service");
            MDC.remove("rusm.incarnation");
        }
    }

    private void runAgain() {
        adoptFiber(true);
        try {
            serve();
        } finally {
            MDC.remove("rusm.service");
            MDC.remove("rusm.incarnation");
        }
    }

    /** The loop: one message at a time until the process ends, or hibernates (its fiber ends, it does not). */
    private void serve() {
        Envelope e;
        while ((e = mailbox.take()) != null) {
            if (e == Mailbox.HIBERNATED) {
                // Let go of the ended fiber (a thread object and its task), unless a waker's fiber has already taken over.
                Thread me = Thread.currentThread();
                THREAD.compareAndSet(this, me, null);
                return;
            }
            FiberWakeups.handOut(); // between two messages: pass on fibers woken from outside (see there)
            ExternalQueueWatch.waitIfStarving(); // and let work submitted from outside have its turn (see there)
            if (!handle(e)) return;
        }
        if (isDead()) return;
        // Mailbox closed for a graceful stop and now drained: run the stop hook, then end.
        try {
            behavior.terminate();
        } catch (Throwable t) {
            terminate(ExitReason.crashed(t), true);
            return;
        }
        ExitReason requested = selfStop;
        terminate(requested != null ? requested : ExitReason.SHUTDOWN, false);
    }

    /** Whether this incarnation has ended (its exit reason is set). */
    boolean isDead() {
        return exitReason != null;
    }

    /** Handles one message; false when the process ended while (or because of) handling it. */
    private boolean handle(Envelope e) {
        // Taking the monitor out as its Down is delivered; already gone means demonitored since it was queued.
        if (e.system && e.message instanceof Down d && !demonitor(d.ref())) return true;
        Object message = e.message;
        TimerTick tick = e.system && message instanceof TimerTick t ? t : null;
        if (tick != null && (message = timers.accept(tick)) == null) return true; // cancelled or replaced since queued
        mailbox.current = e;
        // terminate() fails the in-flight call it sees in `mailbox.current` and the calls it drains; a call
        // taken out just before the drain, or one whose handler returns as terminate() clears
        // `mailbox.current`, is failed here (Call.fail is a no-op if terminate() got there first).
        if (isDead()) {
            if (e instanceof Call c) c.fail(new ProcessCrashedException(pid, exitReason));
            else runtime.listeners.sendDropped(pid.name(), e.message, "exited");
            mailbox.current = null;
            return false;
        }
        if (e.message == MemoryGuard.MEASURE) { // the memory ticker's, never the behavior's
            mailbox.current = null;
            return !(memory != null && memory.tick() && overMemoryCap(null));
        }
        io.rusm.spi.Ownership owned = ownership;
        if (owned != null && !owned.held()) { // its lease ran out unrenewed: another node may own it now
            terminate(ExitReason.FENCED, false);
            return false;
        }
        try {
            Object result = behavior.handle(message);
            if (isDead()) return failInFlight(e);
            // Before the reply: a call whose message took the state past the cap gets the crash.
            if (memory != null && overMemoryCap(e.message)) return false;
            if (e instanceof Call c) c.reply(result);
        } catch (Throwable t) {
            if (isDead()) return failInFlight(e); // killed mid-handler: the interrupt's fallout is not a crash
            if (behavior.isDeclaredFailure(message, t)) {
                if (e instanceof Call c) c.fail(t);
            } else {
                terminate(ExitReason.crashed(t), true);
                return false;
            }
        } finally {
            mailbox.current = null;
            if (tick != null) timers.handled(tick);
        }
        ExitReason stop = selfStop;
        if (stop != null) {
            if (stop.isNormal()) {
                mailbox.close(); // drain what is queued, run the stop hook, end
            } else {
                terminate(stop, true);
                return false;
            }
        }
        return true;
    }

    /**
     * When the guard's budget says so, measures the state; past the cap the process crashes with
     * {@code memoryLimit}. Runs on the fiber between messages, so the graph is not being mutated
     * while it is walked.
     */
    private boolean overMemoryCap(Object message) {
        if (!memory.handled(message)) return false;
        ProcessTimers t = timers; // timer state is the incarnation's too: entries and the messages they will deliver
        long used = t == null ? memory.measure(behavior.state()) : memory.measure(behavior.state(), t.retainedRoots(), t.entryBytes());
        if (!memory.exceeded(used)) return false;
        terminate(new ExitReason.MemoryLimit(used, memory.limitBytes()), true);
        return true;
    }

    /** The process ended while handling {@code e}: its caller learns it now if terminate() did not. */
    private boolean failInFlight(Envelope e) {
        if (e instanceof Call c) c.fail(new ProcessCrashedException(pid, exitReason));
        return false;
    }

    // ---- fencing ---------------------------------------------------------------------------

    /**
     * Begins an effect on this process's behalf; false (and nothing begun) if it has ended. Pair
     * every true with {@link #endAct()}. Only for short steps that run no user code and never end
     * a process (an enqueue, a store commit): the process's ending waits for them.
     */
    public boolean beginAct() {
        ACTING.getAndAdd(this, 1);
        if (exitReason != null) {
            ACTING.getAndAdd(this, -1);
            return false;
        }
        if (Thread.currentThread() == thread) ownActs++;
        return true;
    }

    public void endAct() {
        if (Thread.currentThread() == thread) ownActs--;
        ACTING.getAndAdd(this, -1);
    }

    /**
     * After the exit reason is set: waits out effects begun before it (they finish in bounded time,
     * running no user code). Dekker's handshake: an actor raises {@code acting} then reads the exit
     * reason; we set the exit reason then read {@code acting}; one of us sees the other.
     */
    private void awaitActs() {
        int mine = Thread.currentThread() == thread ? ownActs : 0;
        for (int spins = 0; acting > mine; spins++) {
            if (spins < 200) Thread.onSpinWait();
            else Thread.yield();
        }
    }

    /**
     * Begins a step of this process's own fiber that an interrupt must not break: the {@code Kv}
     * commit it runs for its own and others' writes (an interrupt inside the store's locks would
     * fail the whole batch). False, and nothing begun, if the process has ended. Unlike an act, a
     * kill does not wait for the step (the disk may be slow): the process is dead at once for
     * everyone, and only the interrupt waits, for {@link #endDeferringInterrupt()}, which gives it.
     */
    public boolean beginDeferringInterrupt() {
        deferInterrupt = true;
        if (exitReason != null) { // Dekker with end(): it sets the reason, then reads the flag
            deferInterrupt = false;
            return false;
        }
        return true;
    }

    /** Ends what {@link #beginDeferringInterrupt()} began; interrupts the fiber if a kill came meanwhile. */
    public void endDeferringInterrupt() {
        deferInterrupt = false;
        if (exitReason != null) Thread.currentThread().interrupt();
    }

    // ---- ending ---------------------------------------------------------------------------

    /** Graceful stop: accept nothing new, handle what is queued, run the stop hook, end. */
    public void requestStop() {
        mailbox.close();
    }

    /**
     * Ends the process with {@code reason} unless it already ended. {@code own} is true when the
     * reason originates here (its own crash), false when it arrived from outside (kill, exit
     * signal, link); only own crashes are logged at ERROR with their stack trace.
     *
     * <p>Exit signals to linked processes are not delivered by recursion: each ending queues the
     * signals it causes, and this loop delivers them one by one, so a chain of any length ends in
     * constant stack depth, every process in it told.
     */
    public boolean terminate(ExitReason reason, boolean own) {
        ArrayDeque<Signal> pending = new ArrayDeque<>();
        boolean ended = end(reason, own, pending);
        propagate(pending);
        return ended;
    }

    /** An exit signal still to be delivered along a link. */
    private record Signal(Process target, Pid from, ExitReason reason) {}

    private static void propagate(ArrayDeque<Signal> pending) {
        for (Signal s; (s = pending.poll()) != null; ) s.target.receiveExit(s.from, s.reason, true, pending);
    }

    private boolean end(ExitReason reason, boolean own, ArrayDeque<Signal> pending) {
        if (!EXIT.compareAndSet(this, null, reason)) return false;
        Hibernation.forget(this);
        awaitActs();
        mailbox.close();
        closeTimers();
        runtime.registry.unregister(this);
        Envelope inFlight = mailbox.current;
        if (inFlight instanceof Call c) c.fail(new ProcessCrashedException(pid, reason));
        for (Envelope queued : mailbox.drain()) {
            if (queued instanceof Call c) c.fail(new ProcessCrashedException(pid, reason));
            else if (!queued.system) runtime.listeners.sendDroppedLater(pid.name(), queued.message, "exited");
        }
        Thread t = thread;
        // Unblock a handler stuck in I/O or a wait; a fiber in a step that defers it interrupts itself after.
        if (t != null && t != Thread.currentThread() && !deferInterrupt) t.interrupt();
        SyncCall s = started;
        if (s != null) s.reply(reason);
        ExitLog.log(pid, reason, own);
        dropOwnMonitors();
        releaseHeldNames();
        io.rusm.spi.Ownership owned = ownership;
        if (owned != null) owned.release(); // idempotent, never blocks: a successor elsewhere may take over now
        notifyWatchers(reason, pending);
        runtime.listeners.exited(pid, reason);
        ended = true;
        CompletableFuture<ExitReason> f = exited;
        if (f != null) f.complete(reason);
        return true;
    }

    // ---- timers ---------------------------------------------------------------------------

    /** This incarnation's timers, made on first use by its fiber; closed (fenced) once it has ended. */
    public ProcessTimers timers() {
        ProcessTimers t = timers;
        if (t != null) return t;
        t = new ProcessTimers(pid, runtime.timerScheduler(),
                tick -> mailbox.offer(new Envelope(tick, true)) == Mailbox.Offer.ACCEPTED);
        timers = t;
        if (isDead()) t.close(); // end() ran before it could see the field: close it here (Dekker, as acting)
        return t;
    }

    /** The behavior this incarnation runs (for {@link io.rusm.ProcessContext} to reach a service's reminders). */
    public Behavior behavior() {
        return behavior;
    }

    /** The node's listeners, for events a behavior reports (a reminder fired). */
    public Listeners listeners() {
        return runtime.listeners;
    }

    /** Where reminders are kept: the service name's {@code Kv}, or null if the node has no store. */
    public java.util.function.Function<String, io.rusm.Kv> reminderStore() {
        return runtime.reminderStore();
    }

    /** The node's wake-ups for reminders of services that are not running. */
    public io.rusm.internal.timer.ReminderWakeups reminderWakeups() {
        return runtime.reminderWakeups();
    }

    /** Keys of the active timers (empty for none or once ended), for views from any thread. */
    public java.util.Set<Object> timerKeys() {
        ProcessTimers t = timers;
        return t == null ? java.util.Set.of() : t.activeKeys();
    }

    private void closeTimers() {
        ProcessTimers t = timers;
        if (t != null) t.close();
    }

    /** Keeps {@code name} remembered while this process lives; false if it has already ended. */
    boolean holdName(String name) {
        synchronized (this) {
            if (!isAlive()) return false;
            if (heldNames == null) heldNames = new ArrayList<>(4);
            heldNames.add(name);
        }
        runtime.registry.hold(name);
        return true;
    }

    /** Gives up one hold on {@code name} taken with {@link #holdName}. */
    void releaseName(String name) {
        synchronized (this) {
            if (heldNames == null || !heldNames.remove(name)) return;
        }
        runtime.registry.release(name);
    }

    private void releaseHeldNames() {
        List<String> held;
        synchronized (this) {
            held = heldNames;
            heldNames = null;
        }
        if (held != null) for (String n : held) runtime.registry.release(n);
    }

    /** A dead watcher holds nothing of its targets: take its monitor entries out of them. */
    private void dropOwnMonitors() {
        Map<MonitorRef, Process> held;
        synchronized (this) {
            held = monitoring;
            monitoring = null;
        }
        if (held != null) held.forEach((ref, target) -> {
            if (target != null) target.removeMonitor(ref);
            else if (runtime.isRemote(ref.target())) runtime.placement.demonitor(ref); // its remote watch too
        });
    }

    private void notifyWatchers(ExitReason reason, ArrayDeque<Signal> pending) {
        Set<Process> linked;
        Map<MonitorRef, Process> monitors;
        synchronized (this) {
            linked = links;
            monitors = monitoredBy;
            links = null;
            monitoredBy = null;
        }
        if (monitors != null) {
            monitors.forEach((ref, watcher) -> watcher.deliverSystem(new Down(ref, pid, reason)));
        }
        if (linked != null) {
            for (Process other : linked) {
                synchronized (other) {
                    if (other.links != null) other.links.remove(this);
                }
                pending.add(new Signal(other, pid, reason));
            }
        }
    }

    /**
     * Receives an exit signal from {@code from}. Trapping processes get an {@link Exit} message
     * (except for an untrappable kill); others ignore {@code normal} and die with anything else.
     * {@code viaLink} marks a signal propagated along a link rather than sent with {@code exit}.
     */
    public void exitSignal(Pid from, ExitReason reason, boolean viaLink) {
        ArrayDeque<Signal> pending = new ArrayDeque<>();
        receiveExit(from, reason, viaLink, pending);
        propagate(pending);
    }

    private void receiveExit(Pid from, ExitReason reason, boolean viaLink, ArrayDeque<Signal> pending) {
        if (!isAlive()) return;
        boolean untrappable = reason instanceof ExitReason.Killed && !viaLink;
        if (untrappable) {
            end(ExitReason.KILLED, false, pending);
        } else if (trapExits) {
            deliverSystem(new Exit(from, reason));
        } else if (!(reason instanceof ExitReason.Normal)) {
            end(reason, false, pending);
        }
    }

    void deliverSystem(Object message) {
        mailbox.offer(new Envelope(message, true));
    }

    // ---- links and monitors ---------------------------------------------------------------

    /** Links both ways; if either is already dead the other gets the exit signal at once. */
    static void link(Process a, Process b) {
        if (a == b) return;
        Process first = a.seq < b.seq ? a : b; // lock in a global order: no deadlock on crossed links
        Process second = first == a ? b : a;
        synchronized (first) {
            synchronized (second) {
                if (a.isAlive() && b.isAlive()) {
                    a.linkSet().add(b);
                    b.linkSet().add(a);
                    return;
                }
            }
        }
        // Linking to a dead process is an immediate exit signal with reason noproc, as in OTP.
        if (!a.isAlive()) b.exitSignal(a.pid, ExitReason.NOPROC, true);
        if (!b.isAlive()) a.exitSignal(b.pid, ExitReason.NOPROC, true);
    }

    static void unlink(Process a, Process b) {
        synchronized (a) {
            if (a.links != null) a.links.remove(b);
        }
        synchronized (b) {
            if (b.links != null) b.links.remove(a);
        }
    }

    private Set<Process> linkSet() {
        if (links == null) links = new HashSet<>(4);
        return links;
    }

    /**
     * Adds a monitor held by {@code watcher}; if this process is already dead the watcher gets
     * {@code Down(noproc)} at once. The watcher records it first, so its {@code Down} is never
     * taken for a demonitored one.
     */
    void addMonitor(MonitorRef ref, Process watcher) {
        if (!watcher.recordMonitoring(ref, this)) return; // the watcher died meanwhile: nothing to hold
        synchronized (this) {
            if (isAlive()) {
                if (monitoredBy == null) monitoredBy = new HashMap<>(4);
                monitoredBy.put(ref, watcher);
                return;
            }
        }
        watcher.deliverSystem(new Down(ref, pid, ExitReason.NOPROC));
    }

    /** Monitors a pid that is not running: only the watcher's {@code Down(noproc)}. */
    void monitorGone(MonitorRef ref) {
        if (recordMonitoring(ref, null)) deliverSystem(new Down(ref, ref.target(), ExitReason.NOPROC));
    }

    synchronized boolean recordMonitoring(MonitorRef ref, Process target) {
        if (!isAlive()) return false;
        if (monitoring == null) monitoring = new HashMap<>(4);
        monitoring.put(ref, target);
        return true;
    }

    /**
     * Removes the monitor {@code ref} that this process holds, from both sides; true if it was
     * active (a {@code Down} already queued for it is then dropped unseen).
     */
    boolean demonitor(MonitorRef ref) {
        Process target;
        synchronized (this) {
            if (monitoring == null || !monitoring.containsKey(ref)) return false;
            target = monitoring.remove(ref);
        }
        if (target != null) target.removeMonitor(ref);
        return true;
    }

    private boolean removeMonitor(MonitorRef ref) {
        synchronized (this) {
            return monitoredBy != null && monitoredBy.remove(ref) != null;
        }
    }

    /** Monitors others hold on this process (for leak checks and views). */
    public synchronized int monitorCount() {
        return monitoredBy == null ? 0 : monitoredBy.size();
    }

    /** Processes linked to this one right now (a copy). */
    public synchronized List<Pid> linkedPids() {
        List<Pid> out = new ArrayList<>();
        if (links != null) for (Process p : links) out.add(p.pid);
        return out;
    }

    @Override
    public String toString() {
        return "Process" + pid;
    }
}
