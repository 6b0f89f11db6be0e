package io.rusm.kv;

import io.rusm.FencedException;
import io.rusm.KvException;
import io.rusm.internal.process.FiberWakeups;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Group commit: callers enqueue writes and park until their futures complete; whoever runs the next
 * commit takes everything pending, applies it in one transaction, makes it durable with one commit
 * (one sync) and completes all the futures. While it syncs, new writes queue up for the next batch,
 * so the number of syncs follows the disk, not the number of writers.
 *
 * <p><b>Who commits.</b> Commits run one at a time, each by the holder of the commit turn
 * ({@link #turn}), which drains the queue under it. A dedicated platform thread,
 * {@code rusm-kv-writer}, commits whatever is queued, and does the backend's housekeeping after
 * {@value #IDLE_MILLIS} ms without writes. For a backend whose commit may run on any thread
 * ({@link Backend#callerCommits()}, the embedded store), a caller that finds nobody holding the
 * turn commits itself, its own write and any others queued, and wakes their callers
 * ({@link #commitHere()}); writes that queue while it syncs go to the writer thread. Why: the
 * writer thread wakes a parked fiber from outside the virtual-thread scheduler, and such a fiber
 * waits behind every busy carrier's local work (issue 13: a durable service next to a busy
 * neighbour), whereas a fiber that commits itself stays mounted from its put to the end of its
 * sync and needs no wake-up. The price, and its bound: the sync blocks that fiber's carrier
 * (see the time slice in {@link #commitHere()}). A JDBC backend never lets callers commit: its
 * driver's socket I/O would park the fiber until the JDK's poller thread wakes it, and an
 * interrupt would close the connection.
 *
 * <p><b>Dead means dead.</b> A write submitted from a process fiber carries its incarnation
 * ({@link Write#owner}). The committer applies it only if that incarnation is still alive when it
 * puts it into the batch's transaction, which it does after it took the batch out of the queue; a
 * dead owner's write is failed with {@link FencedException} and not applied. Why that keeps an old
 * incarnation's write from ever landing after its successor's, for every backend (the check is
 * here, not in a backend): a successor starts only after its predecessor has ended (the supervisor
 * restarts on the exit, which follows the end), so every write of the successor is enqueued after
 * that end. If the old write passed the check, the check — and before it the drain of this batch —
 * happened before the end, so no write of the successor was in the queue yet: they all go into
 * later batches, committed after this one (one turn at a time). If it failed the check, it never
 * lands. A write that passed the check is committed even if its incarnation ends while the sync
 * runs — even if the committer is that incarnation's own fiber, being killed: it took effect while
 * its incarnation was alive, like a message sent just before a kill.
 */
final class GroupCommitWriter {
    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

    /** Upper bound of writes in one transaction, so one commit never holds unbounded memory. */
    static final int MAX_BATCH = 4096;
    /** How long the writer thread waits for work before doing the backend's housekeeping. */
    private static final long IDLE_MILLIS = 2_000;
    /**
     * With caller commits, every this many commits run by fibers, the next fiber leaves its write
     * to the writer thread and parks: its carrier's time slice (see {@link #commitHere()}).
     */
    static final int FIBER_COMMITS_PER_SLICE = 8;

    private final Backend backend;
    /**
     * Lock-free, with a park/unpark handshake ({@link #writerParked}) rather than a blocking queue:
     * a fiber must never wait for a lock the writer thread holds, because the thread would then
     * wake it through the virtual-thread scheduler's external queue (see {@code FiberWakeups}).
     */
    private final ConcurrentLinkedQueue<Write> queue = new ConcurrentLinkedQueue<>();
    /** Set by the writer before it parks for want of writes; an enqueue after that unparks it. */
    private volatile boolean writerParked;
    /** Read side: enqueuing; write side: closing. No write is enqueued after {@link Write#STOP}. */
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private boolean closed; // guarded by gate
    /** Whether a writing caller may run the commit itself ({@link Backend#callerCommits()}). */
    private final boolean callerCommits;
    /** Held while a batch is drained and committed, and for housekeeping: one at a time, in queue order. */
    private final ReentrantLock turn = new ReentrantLock();
    private final Thread thread;
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private long commitsAtLastIdle; // guarded by turn
    /** Commits run by fibers since one last left its write to the writer (a hint: racy updates are harmless). */
    private int fiberCommitsInSlice;
    /**
     * Writes in the last batch committed, by whoever committed it. A caller commits only while
     * batches hold its write alone: see {@link #commitHere()}.
     */
    private volatile int lastBatchSize;

    GroupCommitWriter(Backend backend) {
        this.backend = backend;
        this.callerCommits = backend.callerCommits();
        // Daemon: a store nobody closed must not keep the JVM alive; unacknowledged writes promise nothing.
        this.thread = Thread.ofPlatform().name("rusm-kv-writer").daemon(true).unstarted(this::run);
        thread.start();
    }

    /** Enqueues {@code write}; its future completes once it is durable (or failed). */
    CompletableFuture<Boolean> submit(Write write) {
        var enqueue = gate.readLock();
        enqueue.lock();
        try {
            if (closed) {
                throw new KvException("the Kv store is closed (" + backend.description() + "): cannot write key '" + write.key
                        + "' of component '" + write.namespace + "'", write.namespace, write.key, null);
            }
            queue.add(write);
        } finally {
            enqueue.unlock();
        }
        if (!(callerCommits && commitHere())) wakeWriter();
        return write.done;
    }

    /**
     * With caller commits: runs the commit of what is queued (the caller's own write first among
     * them) on the calling thread, if nobody holds the turn and the last batch held one write (no
     * contention); true if it did. Otherwise, or for a fiber whose time slice is up, false: the
     * caller parks and the writer thread (or the caller holding the turn) commits its write.
     *
     * <p>The time slice: a fiber keeps its carrier from its put to the end of the sync, and the JDK
     * lends the scheduler no spare carrier for it while the other carriers are busy. So fibers woken
     * onto that carrier, or not started yet, wait until it parks; a put loop that never parked would
     * keep them waiting for as long as it runs. Every {@value #FIBER_COMMITS_PER_SLICE} commits by
     * fibers, if every carrier is busy or work is queued for one, one fiber parks instead (its write
     * goes to the writer thread, its wake-up through {@code FiberWakeups}), which lets its carrier
     * run what waited.
     */
    private boolean commitHere() {
        boolean fiber = Thread.currentThread().isVirtual();
        if (fiber && ++fiberCommitsInSlice > FIBER_COMMITS_PER_SLICE) {
            fiberCommitsInSlice = 0;
            if (FiberWakeups.allCarriersBusy()) return false; // only if something waits for a carrier
        }
        // Under contention the writer thread commits: a fiber that commits blocks its carrier in the
        // sync while the writers it wakes queue up behind it on that carrier, and then commits its
        // own next put alone before they run, so batches stay small (64 writers: a third slower).
        if (lastBatchSize > 1) return false;
        if (!turn.tryLock()) return false;
        // The commit may run on a process's fiber that is killed meanwhile: the kill then leaves its
        // interrupt to the end of the commit (Process.beginDeferringInterrupt) rather than landing
        // in the middle of the store's I/O and locks, where it would fail the whole batch, others'
        // writes too. A dead process's fiber commits nothing here: the writer thread fences its write.
        // An interrupt already pending is put aside for the same reason; one from elsewhere (user
        // code) closes the channel, which the store reopens and retries (MvStoreBackend), spending
        // the thread's interrupt status. Both are given back afterwards.
        io.rusm.internal.process.Process self = io.rusm.internal.process.Current.orNull();
        if (self != null && !self.beginDeferringInterrupt()) {
            turn.unlock();
            return false;
        }
        List<Write> batch = new ArrayList<>();
        boolean interrupted = Thread.interrupted();
        FiberWakeups.beginHoldingCarrier(); // its sync blocks this carrier: the pool must not look freer than it is
        try {
            drainInto(batch);
            commitBatch(batch);
        } finally {
            FiberWakeups.endHoldingCarrier();
            turn.unlock();
            if (self != null) self.endDeferringInterrupt();
            if (interrupted) Thread.currentThread().interrupt();
        }
        wake(batch);
        if (!queue.isEmpty()) wakeWriter(); // writes that came during the sync: the writer takes them
        return true;
    }

    private void wakeWriter() {
        if (writerParked) LockSupport.unpark(thread); // publish, then check: see awaitWrites()
    }

    /** Transactions committed (each one sync for the embedded store). */
    long commits() {
        return commits.get();
    }

    /** Writes made durable and acknowledged. */
    long acknowledged() {
        return acknowledged.get();
    }

    /** Stops accepting writes, makes every write already queued durable, and stops the thread. */
    void close() {
        var closing = gate.writeLock();
        closing.lock();
        try {
            if (closed) return;
            closed = true;
            queue.add(Write.STOP);
        } finally {
            closing.unlock();
        }
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the queued writes' callers are waiting for them: finish anyway
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** The writer thread: commits whatever callers did not, and does the housekeeping when idle. */
    private void run() {
        List<Write> batch = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            boolean writes = awaitWrites();
            turn.lock(); // a caller may be committing: wait for it, then take what is left
            try {
                if (!writes) {
                    housekeepIfIdle();
                    continue;
                }
                drainInto(batch);
                stop = batch.remove(Write.STOP); // STOP is enqueued last: nothing follows it
                commitBatch(batch);
            } finally {
                turn.unlock();
            }
            wake(batch);
            batch.clear();
        }
    }

    /**
     * Waits until a write is queued (true) or {@value #IDLE_MILLIS} ms passed without one (false).
     * "Publish, then check" on both sides: a submitter enqueues and then reads {@link #writerParked};
     * this thread sets it and then looks again before parking, so one of them sees the other.
     */
    private boolean awaitWrites() {
        if (!queue.isEmpty()) return true;
        long idleAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS);
        writerParked = true;
        try {
            while (queue.isEmpty()) {
                long left = idleAt - System.nanoTime();
                if (left <= 0) return false;
                LockSupport.parkNanos(this, left);
                Thread.interrupted(); // nobody interrupts this thread on purpose; keep serving the queue
            }
            return true;
        } finally {
            writerParked = false;
        }
    }

    /**
     * Takes up to {@value #MAX_BATCH} queued writes, under the turn. A caller committing leaves
     * {@link Write#STOP} in the queue, for the writer thread (it ends the thread).
     */
    private void drainInto(List<Write> batch) {
        boolean writer = Thread.currentThread() == thread;
        for (Write w; batch.size() < MAX_BATCH && (w = queue.peek()) != null; ) {
            if (w == Write.STOP && !writer) break;
            queue.poll(); // the head just peeked: only the turn's holder takes from the queue
            batch.add(w);
        }
    }

    /** Commits {@code batch} (if any); whatever happens, every one of its futures is then complete. */
    private void commitBatch(List<Write> batch) {
        try {
            if (batch.isEmpty()) return;
            lastBatchSize = batch.size();
            commit(batch);
        } catch (Throwable t) { // never leave a caller parked forever
            for (Write w : batch) if (!w.done.isDone()) fail(w, t);
        }
    }

    /**
     * Wakes the callers of a committed batch (but the calling thread, which needs none). They park
     * on their own (KvStore.await), so that they are woken through FiberWakeups: a plain unpark
     * from a platform thread waits behind busy carriers' local work.
     */
    private static void wake(List<Write> batch) {
        Thread self = Thread.currentThread();
        for (Write w : batch) {
            if (w.waiter != self) FiberWakeups.unpark(w.waiter);
        }
    }

    /**
     * Commits {@code batch} as one transaction. If that fails and it held several writes, each is
     * retried in its own transaction, so one bad write (say, a key too long for a column) fails
     * only its own caller.
     */
    private void commit(List<Write> batch) {
        Throwable failure = tryCommit(batch);
        if (failure == null) return;
        if (batch.size() == 1) {
            fail(batch.getFirst(), failure);
            return;
        }
        for (Write w : batch) {
            if (w.done.isDone()) continue; // fenced in the first attempt
            Throwable own = tryCommit(List.of(w));
            if (own != null) fail(w, own);
        }
    }

    /**
     * Null on success (every future completed), else the failure (no future completed but those of
     * fenced writes, which fail whatever happens to the rest).
     */
    private Throwable tryCommit(List<Write> batch) {
        Backend.Transaction tx;
        try {
            tx = backend.begin();
        } catch (Throwable t) {
            return t;
        }
        int applied = 0;
        java.util.Map<String, Boolean> epochs = new java.util.HashMap<>(); // one check per fence and batch
        try {
            for (Write w : batch) {
                if (w.done.isDone()) continue;
                if (!w.ownerAlive()) { // the fence: see the class comment
                    w.done.completeExceptionally(new FencedException(w.owner.pid(), w.operation()));
                    continue;
                }
                if (!epochHolds(tx, w, epochs)) { // a newer incarnation elsewhere took its name over
                    w.done.completeExceptionally(new FencedException(w.owner.pid(), w.operation()));
                    fenced(w.owner);
                    continue;
                }
                applied++;
                if (w.isDelete()) {
                    w.existed = tx.delete(w.namespace, w.key);
                } else {
                    tx.put(w.namespace, w.key, w.value);
                }
            }
            tx.commit();
        } catch (Throwable t) { // even an Error: the committer must survive to serve the next callers
            tx.rollback();
            return t;
        }
        commits.incrementAndGet();
        acknowledged.addAndGet(applied);
        for (Write w : batch) w.done.complete(w.existed); // no-op for the fenced ones
        return null;
    }

    /** Cluster fencing: the writer's epoch is checked once per batch, under a lock held to commit. */
    private static boolean epochHolds(Backend.Transaction tx, Write w, java.util.Map<String, Boolean> checked) throws Exception {
        io.rusm.spi.Ownership owned = w.owner == null ? null : w.owner.ownership();
        if (owned == null) return true;
        String at = owned.fence() + "@" + owned.epoch();
        Boolean holds = checked.get(at);
        if (holds == null) {
            holds = tx.epochHolds(owned.fence(), owned.epoch());
            checked.put(at, holds);
        }
        return holds;
    }

    /** A fenced incarnation ends with {@code fenced}, off this thread (ending never waits here). */
    private static void fenced(io.rusm.internal.process.Process owner) {
        Thread.ofVirtual().name("rusm-fenced").start(() -> owner.terminate(io.rusm.ExitReason.FENCED, false));
    }

    private void fail(Write w, Throwable cause) {
        w.done.completeExceptionally(new KvException("could not make the " + (w.isDelete() ? "delete" : "write") + " of key '"
                + w.key + "' of component '" + w.namespace + "' durable in " + backend.description() + ": " + cause,
                w.namespace, w.key, cause));
    }

    /** The backend's housekeeping, if anything was committed since it last ran; under the turn. */
    private void housekeepIfIdle() {
        long done = commits.get();
        if (done == commitsAtLastIdle) return;
        commitsAtLastIdle = done;
        try {
            backend.idle();
        } catch (Throwable e) {
            log.warn("rusm Kv housekeeping failed for {}", backend.description(), e);
        }
    }
}
