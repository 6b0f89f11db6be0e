package io.rusm.bench;

import java.util.concurrent.atomic.AtomicReference;
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

    /** Runs {@code task} on one virtual thread and waits for it. */
    public static long onVirtualThread(LongSupplier task) {
        return onVirtualThreads(1, 1, task);
    }
}
