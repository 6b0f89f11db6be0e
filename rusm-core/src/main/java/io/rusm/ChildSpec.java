package io.rusm;

import java.time.Duration;

/**
 * What a supervisor starts and restarts: a {@link WorkerSpec} (a process running a behavior) or a
 * nested {@link SupervisorSpec}. Immutable values, so a tree of specs can be built, compared and
 * tested like data.
 */
public sealed interface ChildSpec permits WorkerSpec, SupervisorSpec {

    /** The registered name of the child (unique within a node). */
    String name();

    /** When it is restarted. */
    RestartType restart();

    /** How long a graceful stop may take before the child is killed. */
    Duration shutdownTimeout();
}
