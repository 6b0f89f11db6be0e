package io.rusm.internal.process;

/** The process whose fiber is running, bound with a {@link ScopedValue} for the whole loop. */
public final class Current {
    static final ScopedValue<Process> PROCESS = ScopedValue.newInstance();

    private Current() {}

    /** The current process, or null outside any process fiber. */
    public static Process orNull() {
        return PROCESS.isBound() ? PROCESS.get() : null;
    }

    /**
     * Fails with {@link io.rusm.FencedException} when the calling fiber belongs to an incarnation
     * that has ended: every rusm operation calls this first, so a handler that ignored its kill
     * can no longer act. Plain threads (no process bound) always pass.
     */
    public static void checkAlive(String operation) {
        if (!PROCESS.isBound()) return;
        Process p = PROCESS.get();
        if (!p.isAlive()) throw new io.rusm.FencedException(p.pid(), operation);
    }
}
