package io.rusm.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/** Drives a workload from virtual threads: every caller in the benchmarks is a virtual thread. */
public final class Load {
    private Load() {}

    /**
     * Starts {@code threads} virtual threads, each running {@code op} {@code perThread} times, and
     * waits for all of them. Returns the sum of what {@code op} returned (a checksum the JIT cannot
     * drop). The first failure of any thread is re-thrown.
     */
    public static long onVirtualThreads(int threads, int perThread, LongSupplier op) {
        Thread[] started = new Thread[threads];
        long[] sums = new long[threads];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            started[t] = Thread.ofVirtual().start(() -> {
                long sum = 0;
                try {
                    for (int i = 0; i < perThread; i++) sum += op.getAsLong();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
                sums[index] = sum;
            });
        }
        long total = 0;
        for (int t = 0; t < threads; t++) {
            try {
                started[t].join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the load", e);
            }
            total += sums[t];
        }
        Throwable f = failure.get();
        if (f instanceof RuntimeException r) throw r;
        if (f instanceof Error e) throw e;
        if (f != null) throw new IllegalStateException(f);
        return total;
    }

    /**
     * {@code callers} virtual threads doing {@code op} back to back for {@code ms} (all released at
     * once), or until {@code enough} says so: {ops, wall ns until the last returned}. A caller that
     * has not returned {@code slack} after the end is interrupted and the run fails; so does any
     * failed {@code op} (each printed, the first re-thrown as the cause).
     */
    public static long[] forDuration(int callers, long ms, Duration slack, Runnable op, BooleanSupplier enough)
            throws InterruptedException {
        AtomicLong ops = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicReference<RuntimeException> first = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        long[] deadline = new long[1];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            threads.add(Thread.ofVirtual().name("caller-" + i).start(() -> {
                try {
                    go.await();
                    long n = 0;
                    while (System.nanoTime() < deadline[0] && !enough.getAsBoolean()) {
                        op.run();
                        n++;
                    }
                    ops.addAndGet(n);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    failures.incrementAndGet();
                    first.compareAndSet(null, e);
                    System.err.println("# call failed: " + e);
                }
            }));
        }
        long t0 = System.nanoTime();
        deadline[0] = t0 + TimeUnit.MILLISECONDS.toNanos(ms);
        go.countDown();
        for (Thread t : threads) {
            if (!t.join(Duration.ofMillis(ms).plus(slack))) {
                t.interrupt();
                throw new IllegalStateException("a caller did not finish: " + t.getName());
            }
        }
        long wall = System.nanoTime() - t0;
        if (failures.get() > 0) throw new IllegalStateException(failures.get() + " of " + callers + " callers failed", first.get());
        return new long[] {ops.get(), wall};
    }

    /** Runs {@code task} on one virtual thread and waits for it. */
    public static long onVirtualThread(LongSupplier task) {
        return onVirtualThreads(1, 1, task);
    }
}
