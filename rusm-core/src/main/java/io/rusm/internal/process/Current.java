package io.rusm.internal.process;

/** The process whose fiber is running, bound with a {@link ScopedValue} for the whole loop. */
public final class Current {
    static final ScopedValue<Process> PROCESS = ScopedValue.newInstance();

    private Current() {}

    /** The current process, or null outside any process fiber. */
    public static Process orNull() {
        return PROCESS.isBound() ? PROCESS.get() : null;
    }
}
