package io.rusm;

import java.time.Duration;

/**
 * What a supervisor starts and restarts: a {@link WorkerSpec} (a process running a behavior) or a
 * nested {@link SupervisorSpec}. Immutable values, so a tree of specs can be built, compared and
 * tested like data.
 */
public sealed interface ChildSpec permits WorkerSpec, SupervisorSpec {

    /**
     * OTP's {@code infinity} shutdown: wait for the child to stop without any limit (the default of
     * nested supervisors, so their children get their own timeouts). Any {@code Duration} too
     * large to count in nanoseconds means the same.
     */
    Duration INFINITY = io.rusm.internal.process.Deadlines.FOREVER;

    /** OTP's {@code brutal_kill} shutdown: killed at once, no drain and no stop hook, reason {@code killed}. */
    Duration BRUTAL_KILL = Duration.ZERO;

    /** Whether {@code timeout} is too large to count in nanoseconds, i.e. means "no limit". */
    static boolean isInfinite(Duration timeout) {
        return io.rusm.internal.process.Deadlines.isInfinite(timeout);
    }

    /** The registered name of the child (unique within a node). */
    String name();

    /** When it is restarted. */
    RestartType restart();

    /**
     * How long a graceful stop may take before the child is killed: {@link #BRUTAL_KILL} kills at
     * once, {@link #INFINITY} waits without limit.
     */
    Duration shutdownTimeout();
}
