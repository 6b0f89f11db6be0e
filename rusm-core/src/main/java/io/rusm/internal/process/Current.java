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
     * Begins an effect ({@link Process#beginAct}) for the calling fiber's process: returns it (to
     * pass to {@link #endAct}), or null on a plain thread; throws {@link io.rusm.FencedException} if
     * the process has ended.
     */
    public static Process beginAct(String operation) {
        if (!PROCESS.isBound()) return null;
        Process p = PROCESS.get();
        if (!p.beginAct()) throw new io.rusm.FencedException(p.pid(), operation);
        return p;
    }

    /** Ends what {@link #beginAct} began (null: nothing to end). */
    public static void endAct(Process acting) {
        if (acting != null) acting.endAct();
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
