package io.rusm.demo.observer;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One service's calls in the current second: how many, and a bounded sample of their latencies
 * (reservoir sampling), from which the second's p99 is read. Synchronized: calls finish on many
 * fibers, the observer's ticker reads once a second.
 */
final class CallStats {
    private static final int SAMPLE = 2_048;

    private final long[] nanos = new long[SAMPLE];
    private long count;

    synchronized void record(long callNanos) {
        if (count < SAMPLE) {
            nanos[(int) count] = callNanos;
        } else {
            long slot = ThreadLocalRandom.current().nextLong(count + 1);
            if (slot < SAMPLE) nanos[(int) slot] = callNanos;
        }
        count++;
    }

    /** This second's calls and p99 (ms), and a fresh start for the next second. */
    synchronized Point drain() {
        int n = (int) Math.min(count, SAMPLE);
        double p99 = 0;
        if (n > 0) {
            long[] sorted = Arrays.copyOf(nanos, n);
            Arrays.sort(sorted);
            p99 = sorted[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)] / 1e6;
        }
        Point p = new Point(count, Math.round(p99 * 1000) / 1000.0);
        count = 0;
        return p;
    }

    /** Calls in one second and their p99 latency in milliseconds. */
    record Point(long calls, double p99Millis) {}
}
