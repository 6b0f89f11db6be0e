package io.rusm.demo.counter;

/** Counters refuse a bump that would wrap around instead of storing a wrapped value. */
public final class Overflow {
    private Overflow() {}

    /** {@code value + by}, or an {@link IllegalArgumentException} naming both when it does not fit in a long. */
    public static long add(long value, long by) {
        try {
            return Math.addExact(value, by);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("bump by " + by + " would overflow the counter (value " + value
                    + ", limits " + Long.MIN_VALUE + ".." + Long.MAX_VALUE + ")");
        }
    }
}
