package io.rusm.internal.process;

import io.rusm.Behavior;
import io.rusm.Down;
import io.rusm.Exit;
import io.rusm.ExitReason;
import io.rusm.MonitorRef;
import io.rusm.Pid;
import io.rusm.ProcessCrashedException;
import io.rusm.internal.memory.MemoryGuard;
import org.slf4j.MDC;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One incarnation of a process: a mailbox, a behavior and the fiber that runs it.
 *
 * <p>The process ends exactly once, in {@link #terminate}: the first caller to set the exit reason
 * (its own loop after a crash or stop, or anyone who kills it or sends it an exit signal) closes the
 * mailbox, fails every pending call, unregisters the name and notifies monitors and links. That makes
 * the process dead "at once for everyone" even when its own code ignores interruption: a handler
 * still running on a killed fiber can no longer reply, and its mailbox accepts nothing.
 */
public final class Process {
    private static final VarHandle EXIT;
    static {
        try {
            EXIT = MethodHandles.lookup().findVarHandle(Process.class, "exitReason", ExitReason.class);
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
    private volatile Envelope current;
    private volatile ExitReason selfStop;
    private Thread thread;
    /** Completes when init finished (null) or failed (the exit reason); for spawn to wait on. */
    private CompletableFuture<ExitReason> started = new CompletableFuture<>();
    final CompletableFuture<ExitReason> exited = new CompletableFuture<>();
    /** Links and monitors, guarded by {@code this}; null until first used (most processes have none). */
    private Set<Process> links;
    /** Enforces the memory cap, or null when the process has none. */
    private MemoryGuard memory;
    private Map<MonitorRef, Process> monitoredBy;

    Process(Runtime runtime, Pid pid, long seq, Behavior behavior, int mailboxCapacity, boolean trapExits) {
        this.runtime = runtime;
        this.pid = pid;
        this.seq = seq;
        this.behavior = behavior;
        this.mailbox = new Mailbox(mailboxCapacity);
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

    public Mailbox mailbox() {
        return mailbox;
    }

    public boolean isAlive() {
        return exitReason == null;
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

    public CompletableFuture<ExitReason> exitFuture() {
        return exited;
    }

    Runtime runtime() {
        return runtime;
    }

    /** Asks the process to end with {@code reason} once the message it is handling returns. */
    public void stopAfterCurrentMessage(ExitReason reason) {
        this.selfStop = reason;
    }

    // ---- start and loop -------------------------------------------------------------------

    CompletableFuture<ExitReason> start() {
        CompletableFuture<ExitReason> s = started; // read before the fiber runs: it nulls the field after init
        Thread t = Thread.ofVirtual().name(pid.toString()).unstarted(this::run);
        this.thread = t;
        mailbox.bindConsumer(t);
        t.start();
        return s;
    }

    private void run() {
        ScopedValue.where(Current.PROCESS, this).run(this::loop);
    }

    private void loop() {
        MDC.put("rusm.service", pid.name());
        MDC.put("rusm.incarnation", Long.toString(pid.incarnation()));
        try {
            try {
                behavior.init();
                if (memory != null && overMemoryCap(null)) return;
                // Reported before spawn() returns, so listeners never see a running process as unstarted.
                if (!isDead()) runtime.listeners.started(pid);
            } catch (Throwable t) {
                terminate(ExitReason.crashed(t), true);
                return;
            } finally {
                CompletableFuture<ExitReason> s = started;
                started = null;
                s.complete(exitReason);
            }
            Envelope e;
            while ((e = mailbox.take(this::isDead)) != null) {
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
        } finally {
            MDC.remove("rusm.service");
            MDC.remove("rusm.incarnation");
        }
    }

    private boolean isDead() {
        return exitReason != null;
    }

    /** Handles one message; false when the process ended while (or because of) handling it. */
    private boolean handle(Envelope e) {
        current = e;
        // terminate() fails the in-flight call it sees in `current` and the calls it drains; a call
        // taken out just before the drain, or one whose handler returns as terminate() clears
        // `current`, is failed here (Call.fail is a no-op if terminate() got there first).
        if (isDead()) {
            if (e instanceof Call c) c.fail(new ProcessCrashedException(pid, exitReason));
            else runtime.listeners.sendDropped(pid.name(), e.message, "exited");
            current = null;
            return false;
        }
        if (e.message == MemoryGuard.MEASURE) { // the memory ticker's, never the behavior's
            current = null;
            return !(memory != null && memory.tick() && overMemoryCap(null));
        }
        try {
            Object result = behavior.handle(e.message);
            if (isDead()) return failInFlight(e);
            // Before the reply: a call whose message took the state past the cap gets the crash.
            if (memory != null && overMemoryCap(e.message)) return false;
            if (e instanceof Call c) c.reply(result);
        } catch (Throwable t) {
            if (isDead()) return failInFlight(e); // killed mid-handler: the interrupt's fallout is not a crash
            if (behavior.isDeclaredFailure(e.message, t)) {
                if (e instanceof Call c) c.fail(t);
            } else {
                terminate(ExitReason.crashed(t), true);
                return false;
            }
        } finally {
            current = null;
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
        long used = memory.measure(behavior.state());
        if (!memory.exceeded(used)) return false;
        terminate(new ExitReason.MemoryLimit(used, memory.limitBytes()), true);
        return true;
    }

    /** The process ended while handling {@code e}: its caller learns it now if terminate() did not. */
    private boolean failInFlight(Envelope e) {
        if (e instanceof Call c) c.fail(new ProcessCrashedException(pid, exitReason));
        return false;
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
     */
    public boolean terminate(ExitReason reason, boolean own) {
        if (!EXIT.compareAndSet(this, null, reason)) return false;
        mailbox.close();
        runtime.registry.unregister(this);
        Envelope inFlight = current;
        if (inFlight instanceof Call c) c.fail(new ProcessCrashedException(pid, reason));
        for (Envelope queued : mailbox.drain()) {
            if (queued instanceof Call c) c.fail(new ProcessCrashedException(pid, reason));
            else runtime.listeners.sendDropped(pid.name(), queued.message, "exited");
        }
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) t.interrupt(); // unblock a handler stuck in I/O or a wait
        CompletableFuture<ExitReason> s = started;
        if (s != null) s.complete(reason);
        ExitLog.log(pid, reason, own);
        notifyWatchers(reason);
        runtime.listeners.exited(pid, reason);
        exited.complete(reason);
        return true;
    }

    private void notifyWatchers(ExitReason reason) {
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
                other.exitSignal(pid, reason, true);
            }
        }
    }

    /**
     * Receives an exit signal from {@code from}. Trapping processes get an {@link Exit} message
     * (except for an untrappable kill); others ignore {@code normal} and die with anything else.
     * {@code viaLink} marks a signal propagated along a link rather than sent with {@code exit}.
     */
    public void exitSignal(Pid from, ExitReason reason, boolean viaLink) {
        if (!isAlive()) return;
        boolean untrappable = reason instanceof ExitReason.Killed && !viaLink;
        if (untrappable) {
            terminate(ExitReason.KILLED, false);
        } else if (trapExits) {
            deliverSystem(new Exit(from, reason));
        } else if (!(reason instanceof ExitReason.Normal)) {
            terminate(reason, false);
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

    /** Adds a monitor; if this process is already dead the watcher gets {@code Down(noproc)} at once. */
    void addMonitor(MonitorRef ref, Process watcher) {
        synchronized (this) {
            if (isAlive()) {
                if (monitoredBy == null) monitoredBy = new HashMap<>(4);
                monitoredBy.put(ref, watcher);
                return;
            }
        }
        watcher.deliverSystem(new Down(ref, pid, ExitReason.NOPROC));
    }

    boolean removeMonitor(MonitorRef ref) {
        synchronized (this) {
            return monitoredBy != null && monitoredBy.remove(ref) != null;
        }
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
