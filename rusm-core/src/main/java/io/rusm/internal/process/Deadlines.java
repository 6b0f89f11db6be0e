package io.rusm.internal.process;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Turns caller-given {@link Duration}s into {@link System#nanoTime()} deadlines without ever
 * overflowing: a duration too large to count in nanoseconds ({@code ChronoUnit.FOREVER}, OTP's
 * {@code infinity}) means "no deadline", never an {@link ArithmeticException} after a request was
 * already queued.
 */
public final class Deadlines {
    /** The deadline that never comes. */
    public static final long NONE = Long.MAX_VALUE;
    /** The duration that means "no limit". */
    public static final Duration FOREVER = java.time.temporal.ChronoUnit.FOREVER.getDuration();

    private Deadlines() {}

    /** {@code timeout} in nanoseconds, or {@link #NONE} when it is too large to count. */
    public static long nanos(Duration timeout) {
        if (timeout.isNegative()) return 0;
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLarge) {
            return NONE;
        }
    }

    /** Whether {@code timeout} means "wait without limit". */
    public static boolean isInfinite(Duration timeout) {
        return nanos(timeout) == NONE;
    }

    /** The deadline {@code timeout} after {@code nowNanos}, or {@link #NONE}. */
    public static long after(long nowNanos, Duration timeout) {
        long n = nanos(timeout);
        if (n == NONE) return NONE;
        try {
            return Math.addExact(nowNanos, n);
        } catch (ArithmeticException tooLate) {
            return NONE; // saturate instead of wrapping into the past
        }
    }

    /** Nanoseconds left until {@code deadline} (0 once passed; {@link #NONE} for no deadline). */
    public static long remaining(long deadline) {
        if (deadline == NONE) return NONE;
        return Math.max(0, deadline - System.nanoTime());
    }

    /** The time left until {@code deadline} as a duration ({@link #FOREVER} for no deadline). */
    public static Duration left(long deadline) {
        long n = remaining(deadline);
        return n == NONE ? FOREVER : Duration.ofNanos(n);
    }

    /** {@code future}'s value, waiting until {@code deadline} at most (without limit for {@link #NONE}). */
    public static <T> T await(CompletableFuture<T> future, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        long n = remaining(deadline);
        return n == NONE ? future.get() : future.get(n, TimeUnit.NANOSECONDS);
    }
}
