package io.rusm;

import java.util.List;

/**
 * A point-in-time view of one node of a supervision tree, for health checks and the actuator
 * endpoint. Read from live state without asking the supervisor, so reading never waits on a busy
 * one, and a child whose process has ended (or whose supervisor was killed) never shows as running.
 */
public sealed interface ChildSnapshot {
    String name();

    ChildStatus status();

    /** The running incarnation, or null when none runs. */
    Pid pid();

    /** Restarts of this child since its supervisor (incarnation) started. */
    long restarts();

    /** Why its latest incarnation ended, or null if it never ended. */
    ExitReason lastExitReason();

    /** A supervised worker process. */
    record Worker(String name, ChildStatus status, Pid pid, long restarts, ExitReason lastExitReason,
                  RestartType restart) implements ChildSnapshot {}

    /** A supervisor with its children, in start order. */
    record Supervisor(String name, ChildStatus status, Pid pid, long restarts, ExitReason lastExitReason,
                      Strategy strategy, int intensity, java.time.Duration period,
                      List<ChildSnapshot> children) implements ChildSnapshot {}
}
