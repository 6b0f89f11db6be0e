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
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Group commit: callers enqueue writes and park until their futures complete; one dedicated platform thread
 * takes everything pending, applies it in one transaction, makes it durable with one commit (one
 * sync) and completes all the futures. While it syncs, new writes queue up for the next batch, so
 * the number of syncs follows the disk, not the number of writers.
 *
 * <p>A platform thread because a sync blocks in the kernel (and a JDBC driver may block in ways that
 * pin): a virtual thread doing that would hold a carrier hostage; the parked callers hold none.
 *
 * <p><b>Dead means dead.</b> A write submitted from a process fiber carries its incarnation
 * ({@link Write#owner}). The writer applies it only if that incarnation is still alive when the
 * writer puts it into the batch's transaction, which it does after it took the batch out of the
 * queue; a dead owner's write is failed with {@link FencedException} and not applied. Why that
 * keeps an old incarnation's write from ever landing after its successor's, for every backend
 * (the check is here, not in a backend): a successor starts only after its predecessor has ended
 * (the supervisor restarts on the exit, which follows the end), so every write of the successor
 * is enqueued after that end. If the old write passed the check, the check — and before it the
 * drain of this batch — happened before the end, so no write of the successor was in the queue
 * yet: they all go into later batches, committed after this one by this one thread. If it failed
 * the check, it never lands. A write that passed the check is committed even if its incarnation
 * ends while the sync runs: it took effect while its incarnation was alive, like a message sent
 * just before a kill.
 */
final class GroupCommitWriter {
    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

    /** Upper bound of writes in one transaction, so one commit never holds unbounded memory. */
    static final int MAX_BATCH = 4096;
    /** How long the writer waits for work before doing the backend's housekeeping. */
    private static final long IDLE_MILLIS = 2_000;

    private final Backend backend;
    /**
     * Lock-free, with a park/unpark handshake ({@link #writerParked}) rather than a blocking queue:
     * a fiber must never wait for a lock this platform thread holds, because the thread would then
     * wake it through the virtual-thread scheduler's external queue (see {@code FiberWakeups}).
     */
    private final ConcurrentLinkedQueue<Write> queue = new ConcurrentLinkedQueue<>();
    /** Set by the writer before it parks for want of writes; an enqueue after that unparks it. */
    private volatile boolean writerParked;
    /** Read side: enqueuing; write side: closing. No write is enqueued after {@link Write#STOP}. */
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private boolean closed; // guarded by gate
    private final Thread thread;
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private long commitsAtLastIdle;

    GroupCommitWriter(Backend backend) {
        this.backend = backend;
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
        if (writerParked) LockSupport.unpark(thread); // publish, then check: see next()
        return write.done;
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

    private void run() {
        List<Write> batch = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            Write first = next();
            if (first == null) {
                idle();
                continue;
            }
            batch.add(first);
            for (Write w; batch.size() < MAX_BATCH && (w = queue.poll()) != null; ) batch.add(w);
            stop = batch.remove(Write.STOP); // STOP is enqueued last: nothing follows it
            try {
                if (!batch.isEmpty()) commit(batch);
            } catch (Throwable t) { // never leave a caller parked forever
                for (Write w : batch) if (!w.done.isDone()) fail(w, t);
            }
            // Its callers park on their own (KvStore.await), so that they are woken through
            // FiberWakeups: a plain unpark from this thread waits behind busy carriers' local work.
            for (Write w : batch) FiberWakeups.unpark(w.waiter);
            batch.clear();
        }
    }

    /**
     * The next write, parking while there is none; null after {@value #IDLE_MILLIS} ms without one.
     * "Publish, then check" on both sides: a submitter enqueues and then reads {@link #writerParked};
     * this thread sets it and then polls again before parking, so one of them sees the other.
     */
    private Write next() {
        Write w = queue.poll();
        if (w != null) return w;
        long idleAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS);
        writerParked = true;
        try {
            while ((w = queue.poll()) == null) {
                long left = idleAt - System.nanoTime();
                if (left <= 0) return null;
                LockSupport.parkNanos(this, left);
                Thread.interrupted(); // nobody interrupts this thread on purpose; keep serving the queue
            }
            return w;
        } finally {
            writerParked = false;
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
        } catch (Throwable t) { // even an Error: this thread must survive to serve the next callers
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

    private void idle() {
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
