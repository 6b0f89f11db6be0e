package io.rusm.internal.keyed;

import io.rusm.Behavior;
import io.rusm.CallInterruptedException;
import io.rusm.CallTimeoutException;
import io.rusm.ExitReason;
import io.rusm.KeyedSpec;
import io.rusm.KeyedStats;
import io.rusm.MailboxFullException;
import io.rusm.NoProcessException;
import io.rusm.Pid;
import io.rusm.ProcessContext;
import io.rusm.SpawnOptions;
import io.rusm.internal.process.Current;
import io.rusm.internal.process.Deadlines;
import io.rusm.internal.process.MailboxClosedException;
import io.rusm.internal.process.Process;
import io.rusm.internal.process.Runtime;
import io.rusm.internal.service.ServiceBehavior;
import io.rusm.internal.timer.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One keyed service on one node: the processes of its keys, each registered as
 * {@code <service>/<key>}, started on demand ({@link #activate}), restarted per key after a crash,
 * and stopped after the idle timeout. Long-lived: it outlives the incarnations of the family's own
 * process ({@link FamilyBehavior}), which open and close it, so its counters only grow.
 *
 * <p><b>What a key costs.</b> A live key is its process plus one small {@link KeyEntry} in
 * {@link #keys}; a key whose process ended and will not be restarted is taken out of the map, so
 * no per-key memory remains (the registry forgets its name too).
 *
 * <p><b>Idle detection without a timer per message.</b> One sweep per family runs every
 * {@code idleTimeout / }{@value #TICKS_PER_TIMEOUT} and bumps {@link #epoch}; every message routed
 * by name stamps its key with the epoch (a volatile read, and a write only when the stamp changes).
 * A key whose stamp is more than {@value #TICKS_PER_TIMEOUT} epochs old and whose mailbox is empty
 * is sent an {@link IdleCheck}; its fiber re-checks and stops itself gracefully ({@code shutdown},
 * mailbox drained, {@code @PreDestroy}). So a key stops between {@code idleTimeout} and
 * {@code 1.25 × idleTimeout} after its last message.
 *
 * <p><b>No message lost to an idle stop.</b> A caller that resolved a key just as it stopped finds
 * its mailbox closed ({@link MailboxClosedException}: the message reached nobody) and tries again
 * on the key's next incarnation, which starts once the stopping one has ended (two incarnations of a
 * key never run at once), all within the caller's timeout.
 */
public final class KeyedFamily {
    private static final Logger log = LoggerFactory.getLogger("io.rusm.keyed");
    /** Sweeps per idle timeout. */
    static final int TICKS_PER_TIMEOUT = 8;
    /** How long a restart (no caller waiting) may take to start a key. */
    private static final Duration RESTART_START_TIMEOUT = SpawnOptions.DEFAULT_START_TIMEOUT;

    private final KeyedSpec spec;
    private final Runtime runtime;
    private final String name;
    private final Duration sendTimeout;
    private final ConcurrentHashMap<String, KeyEntry> keys = new ConcurrentHashMap<>();
    private final AtomicInteger live = new AtomicInteger();
    private final LongAdder activations = new LongAdder();
    private final LongAdder restarts = new LongAdder();
    private final LongAdder idleStops = new LongAdder();
    private final LongAdder gaveUp = new LongAdder();
    private final long tickNanos;
    /** Bumped by every sweep; keys are stamped with it when addressed. */
    private volatile long epoch;
    /** Odd while the family's process runs (keys can start), even otherwise; bumped at each open and close. */
    private volatile long generation;
    private TimerScheduler.Cancellable sweep; // guarded by this

    /**
     * @param sendTimeout bounds the on-demand start a send may need (sends have no timeout of their own)
     */
    public KeyedFamily(KeyedSpec spec, Runtime runtime, Duration sendTimeout) {
        this.spec = spec;
        this.runtime = runtime;
        this.name = spec.name();
        this.sendTimeout = sendTimeout;
        this.tickNanos = Math.max(1_000_000L, Deadlines.nanos(spec.idleTimeout()) / TICKS_PER_TIMEOUT);
    }

    public String name() {
        return name;
    }

    public KeyedSpec spec() {
        return spec;
    }

    /** The process name of {@code key}'s process: {@code <service>/<key>}. */
    public String keyName(String key) {
        return name + "/" + key;
    }

    /** The family's behavior for one incarnation of its own process (its supervisor's child). */
    public Behavior newBehavior() {
        return new FamilyBehavior(this);
    }

    /** One key: its current process, the start in progress, and its restart history. */
    static final class KeyEntry {
        final String name;
        /** The live incarnation (possibly stopping), or null. Written under the entry's lock. */
        volatile Process process;
        /** The start in progress that callers join, or null. Guarded by the entry's lock. */
        CompletableFuture<Process> starting;
        /** Taken out of {@link #keys}: whoever holds it must look the key up again. Guarded by the lock. */
        boolean retired;
        /** Epoch at which the key was last addressed. */
        volatile long touched;
        /** Recent restart times of this key, oldest first (null until its first restart). Guarded by the lock. */
        long[] restartTimes;
        int restartCount;

        KeyEntry(String name) {
            this.name = name;
        }

        /** Records a restart at {@code now}; false if that makes more than {@code max} within {@code periodNanos}. */
        boolean addRestart(long now, int max, long periodNanos) {
            if (restartTimes == null) restartTimes = new long[max + 1];
            int kept = 0;
            for (int i = 0; i < restartCount; i++) {
                if (now - restartTimes[i] < periodNanos) restartTimes[kept++] = restartTimes[i];
            }
            restartCount = kept;
            if (restartCount == restartTimes.length) return false;
            restartTimes[restartCount++] = now;
            return restartCount <= max;
        }
    }

    // ---- open and close (the family's own process) ---------------------------------------------

    boolean isOpen() {
        return (generation & 1) == 1;
    }

    synchronized void open() {
        if (isOpen()) return;
        generation++;
        scheduleSweep(generation);
    }

    /** Takes no new activations; returns the keys' live processes. */
    private synchronized List<Process> close() {
        if (isOpen()) generation++;
        if (sweep != null) {
            sweep.cancel();
            sweep = null;
        }
        List<Process> out = new ArrayList<>();
        for (KeyEntry e : keys.values()) {
            Process p = e.process;
            if (p != null) out.add(p);
        }
        return out;
    }

    /** Graceful stop of every key, all draining in parallel; those still running at {@code timeout} are killed. */
    void stopAll(Duration timeout) {
        List<Process> running = close();
        running.forEach(Process::requestStop);
        long deadline = Deadlines.after(System.nanoTime(), timeout);
        for (Process p : running) {
            try {
                Deadlines.await(p.exitFuture(), deadline);
            } catch (TimeoutException | ExecutionException e) {
                p.terminate(ExitReason.KILLED, false);
            } catch (InterruptedException e) {
                // Our own incarnation is being killed: the keys go with it.
                killAll();
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The family's process ended: keys die with it (dead means dead), at once. */
    void killAll() {
        for (Process p : close()) p.terminate(ExitReason.KILLED, false);
    }

    // ---- activation --------------------------------------------------------------------------

    /**
     * The live process of the key named {@code name} ({@code <service>/<key>}), started if it is not
     * running, within {@code deadline}. Never returns a process whose mailbox was closed when looked
     * at (but it may close a moment later: callers retry on {@link MailboxClosedException}).
     *
     * @throws NoProcessException      if the family is not running
     * @throws CallTimeoutException    naming {@code name}, if the start did not finish in time
     * @throws io.rusm.ProcessCrashedException if the key's start failed (its constructor or {@code @PostConstruct} threw)
     */
    public Process activate(String name, long deadline, Duration timeout) {
        while (true) {
            if (!isOpen()) throw new NoProcessException(name);
            KeyEntry e = keys.get(name);
            if (e == null) {
                KeyEntry fresh = new KeyEntry(name);
                e = keys.putIfAbsent(name, fresh);
                if (e == null) e = fresh;
            }
            Process p = e.process;
            if (p == null || p.mailbox().isClosed()) p = startOrJoin(e, deadline, timeout);
            if (p != null) {
                touch(e);
                return p;
            }
        }
    }

    private void touch(KeyEntry e) {
        long now = epoch;
        if (e.touched != now) e.touched = now;
    }

    /** Joins the start of {@code e} in progress, or makes it; null when the entry was retired meanwhile (look again). */
    private Process startOrJoin(KeyEntry e, long deadline, Duration timeout) {
        CompletableFuture<Process> f;
        Process old;
        boolean mine = false;
        synchronized (e) {
            if (e.retired) return null;
            Process p = e.process;
            if (p != null && !p.mailbox().isClosed()) return p;
            old = p;
            if (e.starting == null) {
                e.starting = new CompletableFuture<>();
                mine = true;
            }
            f = e.starting;
        }
        if (mine) start(e, f, old, deadline, timeout, false);
        try {
            return Deadlines.await(f, deadline);
        } catch (TimeoutException x) {
            throw new CallTimeoutException(e.name, timeout);
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
            throw new CallInterruptedException(e.name);
        } catch (ExecutionException x) {
            // Another caller's start ran out of that caller's time: ours may still have some.
            if (!mine && x.getCause() instanceof CallTimeoutException && Deadlines.remaining(deadline) > 0) return null;
            throw rethrow(x.getCause());
        }
    }

    /**
     * Starts one incarnation of {@code e} (after {@code old}, a stopping one, has ended) and completes
     * {@code f} with it, or with null if it ended already, or with the failure.
     */
    private void start(KeyEntry e, CompletableFuture<Process> f, Process old, long deadline, Duration timeout, boolean restart) {
        long gen = generation;
        try {
            if (old != null) Deadlines.await(old.exitFuture(), deadline); // two incarnations never act at once
            if (gen != generation || !isOpen()) throw new NoProcessException(e.name);
            Duration left = Deadlines.left(deadline);
            if (left.isZero()) throw new CallTimeoutException(e.name, timeout);
            SpawnOptions options = SpawnOptions.named(e.name).withMailboxCapacity(spec.mailboxCapacity())
                    .withMaxMemoryBytes(spec.maxMemoryBytes()).withStartTimeout(left).withHibernateAfter(spec.hibernateAfter());
            Pid pid = runtime.spawn(options, behavior(e));
            Process p = runtime.byPid(pid);
            synchronized (e) {
                e.starting = null;
                e.touched = epoch; // fresh: no sweep may take it for idle before its first message lands
                if (p != null) e.process = p;
            }
            if (p != null) {
                live.incrementAndGet();
                p.exitFuture().whenComplete((reason, failure) -> onExit(e, p, reason));
                // The family closed while we started: this incarnation must not outlive it.
                if (gen != generation) p.terminate(ExitReason.KILLED, false);
            } else {
                retireIfUnused(e);
            }
            if (restart) {
                restarts.increment();
                if (p != null) {
                    log.warn("keyed service '{}' restarted key {} as {}", name, e.name, pid);
                    runtime.listeners.restarted(name, pid);
                }
            } else {
                activations.increment();
            }
            f.complete(p);
        } catch (TimeoutException x) {
            failStart(e, f, new CallTimeoutException(e.name, timeout));
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
            failStart(e, f, new CallInterruptedException(e.name));
        } catch (Throwable t) {
            if (t instanceof io.rusm.RusmException && Deadlines.remaining(deadline) == 0 && !(t instanceof NoProcessException)
                    && !(t instanceof io.rusm.ProcessCrashedException)) {
                t = new CallTimeoutException(e.name, timeout); // spawn gave up on init at our deadline
            }
            if (restart) log.warn("keyed service '{}' could not restart key {}: {}; its next call starts it again", name, e.name, t.toString());
            failStart(e, f, t);
        }
    }

    private void failStart(KeyEntry e, CompletableFuture<Process> f, Throwable t) {
        synchronized (e) {
            e.starting = null;
        }
        retireIfUnused(e);
        f.completeExceptionally(t);
    }

    /** A key's behavior: a fresh service instance per incarnation, which learns its key from {@link ProcessContext#key()}. */
    private Behavior behavior(KeyEntry e) {
        String key = e.name.substring(name.length() + 1);
        return new ServiceBehavior(e.name, spec.definition().handlerTable(), spec.instances(), !spec.initialized(), key);
    }

    private void onExit(KeyEntry e, Process p, ExitReason reason) {
        live.decrementAndGet();
        CompletableFuture<Process> restart = null;
        synchronized (e) {
            if (e.process != p) return;
            e.process = null;
            // Normal ends (idle stop, stopSelf) are not restarted: the next call starts the key again.
            boolean wanted = isOpen() && !reason.isNormal() && spec.restart().restartsAfter(reason) && e.starting == null;
            if (wanted && !e.addRestart(System.nanoTime(), spec.intensity(), Deadlines.nanos(spec.period()))) {
                wanted = false;
                gaveUp.increment();
                log.error("keyed service '{}': key {} restarted more than {} times within {} (last exit: {}); "
                        + "it stays stopped until its next call (the family and its supervisor are not affected)",
                        name, e.name, spec.intensity(), spec.period(), reason.label());
            }
            if (wanted) {
                restart = e.starting = new CompletableFuture<>();
            } else if (e.starting == null) {
                retire(e);
            }
        }
        if (restart != null) {
            CompletableFuture<Process> f = restart;
            long deadline = Deadlines.after(System.nanoTime(), RESTART_START_TIMEOUT);
            // Not on the thread that ended the key: that may be its own dead fiber, or a killer.
            Thread.ofVirtual().name("rusm-keyed-restart").start(() -> start(e, f, null, deadline, RESTART_START_TIMEOUT, true));
        }
    }

    private void retireIfUnused(KeyEntry e) {
        synchronized (e) {
            if (e.process == null && e.starting == null) retire(e);
        }
    }

    /** Under the entry's lock. */
    private void retire(KeyEntry e) {
        if (e.retired) return;
        e.retired = true;
        keys.remove(e.name, e);
    }

    // ---- idle stop --------------------------------------------------------------------------

    /** One chain of sweeps per opening: a sweep of an earlier opening that ends late schedules nothing. */
    private synchronized void scheduleSweep(long openedAs) {
        if (generation != openedAs) return;
        sweep = runtime.timerScheduler().schedule(
                () -> Thread.ofVirtual().name("rusm-keyed-sweep").start(() -> sweep(openedAs)), tickNanos);
    }

    private void sweep(long openedAs) {
        long now = ++epoch; // one sweep at a time: the next is scheduled when this one is done
        try {
            for (KeyEntry e : keys.values()) {
                Process p = e.process;
                if (p == null || now - e.touched <= TICKS_PER_TIMEOUT) continue;
                if (p.mailbox().size() > 0 || p.mailbox().isClosed()) continue;
                try {
                    runtime.offer(p, new IdleCheck(this, e, p));
                } catch (MailboxFullException busy) {
                    // not idle after all
                }
            }
        } catch (RuntimeException | Error t) {
            log.error("keyed service '{}': idle sweep failed", name, t);
        } finally {
            scheduleSweep(openedAs);
        }
    }

    /** Runs on the key's fiber, between its messages: stops it if it is still idle. */
    private record IdleCheck(KeyedFamily family, KeyEntry entry, Process process) implements Runnable {
        @Override
        public void run() {
            family.idleCheck(entry, process);
        }
    }

    private void idleCheck(KeyEntry e, Process p) {
        if (e.process != p || epoch - e.touched <= TICKS_PER_TIMEOUT || p.mailbox().size() > 0) return;
        idleStops.increment();
        ProcessContext.stopSelf(ExitReason.SHUTDOWN); // drains what arrived meanwhile, runs @PreDestroy
    }

    // ---- calls and sends by name ----------------------------------------------------------------

    /** A call to the key named {@code name}, activating it; the handler's declared exception is thrown as is. */
    public Object call(String name, Object request, Duration timeout) throws Throwable {
        long deadline = Deadlines.after(System.nanoTime(), timeout);
        while (true) {
            Process p = activate(name, deadline, timeout);
            try {
                return runtime.call(p, this.name, name, request, Deadlines.left(deadline));
            } catch (MailboxClosedException closed) {
                if (!closed.pid().equals(p.pid())) throw closed;
                if (Deadlines.remaining(deadline) == 0) throw new CallTimeoutException(name, timeout);
                // it stopped (idle) or ended before the message landed: the next incarnation gets it
            } catch (CallTimeoutException late) {
                throw new CallTimeoutException(name, timeout); // the caller's timeout bounded start and call as a whole
            }
        }
    }

    /** An asynchronous call to the key named {@code name}; the future fails as {@link #call} would throw, unwrapped. */
    public CompletableFuture<Object> callAsync(String name, Object request, Duration timeout) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        try {
            Current.checkAlive("call");
        } catch (RuntimeException fenced) {
            result.completeExceptionally(fenced);
            return result;
        }
        attemptAsync(name, request, timeout, Deadlines.after(System.nanoTime(), timeout), result);
        return result;
    }

    private void attemptAsync(String name, Object request, Duration timeout, long deadline, CompletableFuture<Object> result) {
        KeyEntry e = keys.get(name);
        Process p = e == null ? null : e.process;
        if (p != null && !p.mailbox().isClosed() && isOpen()) {
            touch(e);
            callAsync(p, name, request, timeout, deadline, result);
            return;
        }
        // A start waits for the key's init: never on the caller's thread, which may be an event loop.
        Thread.ofVirtual().name("rusm-keyed-activate").start(() -> {
            Process started;
            try {
                started = activate(name, deadline, timeout);
            } catch (Throwable t) {
                result.completeExceptionally(t);
                return;
            }
            callAsync(started, name, request, timeout, deadline, result);
        });
    }

    private void callAsync(Process p, String name, Object request, Duration timeout, long deadline, CompletableFuture<Object> result) {
        runtime.callAsync(p, this.name, name, request, Deadlines.left(deadline)).whenComplete((value, failure) -> {
            if (failure == null) {
                result.complete(value);
            } else if (failure instanceof MailboxClosedException closed && closed.pid().equals(p.pid())
                    && Deadlines.remaining(deadline) > 0) {
                attemptAsync(name, request, timeout, deadline, result);
            } else if (failure instanceof CallTimeoutException) {
                result.completeExceptionally(new CallTimeoutException(name, timeout));
            } else {
                result.completeExceptionally(failure);
            }
        });
    }

    /**
     * A send to the key named {@code name}, activating it. Dropped (and reported) if the family is
     * not running or the key cannot be started.
     *
     * @throws MailboxFullException if the key's mailbox is at capacity
     */
    public void send(String name, Object message) {
        long deadline = Deadlines.after(System.nanoTime(), sendTimeout);
        while (true) {
            Process p;
            try {
                p = activate(name, deadline, sendTimeout);
            } catch (io.rusm.FencedException fenced) {
                throw fenced;
            } catch (RuntimeException notStarted) {
                runtime.listeners.sendDropped(this.name, message, "noproc");
                return;
            }
            if (runtime.offer(p, message)) return;
            if (Deadlines.remaining(deadline) == 0) {
                runtime.listeners.sendDropped(this.name, message, "noproc");
                return;
            }
        }
    }

    // ---- views ------------------------------------------------------------------------------

    public KeyedStats stats() {
        return new KeyedStats(name, isOpen(), Math.max(0, live.get()), activations.sum(), restarts.sum(), idleStops.sum(), gaveUp.sum());
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException rethrow(Throwable t) throws T {
        throw (T) t;
    }

    @Override
    public String toString() {
        return "KeyedFamily[" + name + ", " + live.get() + " live keys]";
    }
}
