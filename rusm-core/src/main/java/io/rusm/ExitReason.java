package io.rusm;

/**
 * Why a process ended. Mirrors Erlang's exit reasons; {@link #isNormal()} ones do not propagate
 * along links and do not restart {@code transient} children.
 */
public sealed interface ExitReason {

    /** Ended by itself, with nothing wrong. */
    record Normal() implements ExitReason {}

    /**
     * Stopped by its supervisor or the node (graceful stop after draining its mailbox), or ended on
     * purpose with a reason that is not a failure. {@code detail} is OTP's {@code {shutdown, Term}}:
     * extra information for whoever watches the exit (null for plain {@code shutdown}); with or
     * without it the exit is normal, so {@code transient} children are not restarted after it.
     */
    record Shutdown(Object detail) implements ExitReason {
        /** Plain {@code shutdown}, without a detail. */
        public Shutdown() {
            this(null);
        }
    }

    /** Killed: untrappable, immediate, without running any stop hook. */
    record Killed() implements ExitReason {}

    /** The process did not exist (for a monitor set on an already dead pid). */
    record NoProc() implements ExitReason {}

    /** A handler or lifecycle hook threw something it did not declare. */
    record Crashed(Throwable cause) implements ExitReason {
        @Override
        public String toString() {
            return "Crashed[" + cause + "]";
        }
    }

    /** Its retained state grew past its {@code max-memory-mb} cap. */
    record MemoryLimit(long usedBytes, long limitBytes) implements ExitReason {}

    /** A supervisor gave up after too many restarts in its period and stopped its children. */
    record Escalated() implements ExitReason {}

    /** The node it ran on left the cluster or became unreachable (what a remote watcher or caller sees). */
    record NoConnection() implements ExitReason {}

    /**
     * It lost ownership to a newer incarnation elsewhere in the cluster (a newer epoch in the store,
     * or its lease ran out unrenewed), so it ended without acting again.
     */
    record Fenced() implements ExitReason {}

    ExitReason NORMAL = new Normal();
    ExitReason SHUTDOWN = new Shutdown();
    ExitReason KILLED = new Killed();
    ExitReason NOPROC = new NoProc();
    ExitReason ESCALATED = new Escalated();
    ExitReason NOCONNECTION = new NoConnection();
    ExitReason FENCED = new Fenced();

    /** OTP's {@code {shutdown, detail}}: a normal end that says why. */
    static ExitReason shutdown(Object detail) {
        return new Shutdown(detail);
    }

    static ExitReason crashed(Throwable cause) {
        return new Crashed(cause);
    }

    /** {@code normal} and {@code shutdown}: expected ends that do not count as failures. */
    default boolean isNormal() {
        return this instanceof Normal || this instanceof Shutdown;
    }

    /** The short, lower-case name used in logs, metric tags and health details. */
    default String label() {
        return switch (this) {
            case Normal n -> "normal";
            case Shutdown s -> "shutdown";
            case Killed k -> "killed";
            case NoProc n -> "noproc";
            case Crashed c -> "crashed";
            case MemoryLimit m -> "memoryLimit";
            case Escalated e -> "escalated";
            case NoConnection n -> "noconnection";
            case Fenced f -> "fenced";
        };
    }
}
