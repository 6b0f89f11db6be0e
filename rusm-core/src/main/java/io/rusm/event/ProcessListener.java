package io.rusm.event;

import io.rusm.ExitReason;
import io.rusm.Pid;

/**
 * Observes a node's processes, so integrations (health, metrics) can be built without the core
 * knowing them. Callbacks run on the thread where the event happens (often a process fiber): they
 * must be quick and must not throw; an exception from a listener is logged and ignored.
 */
public interface ProcessListener {

    /** A process finished its {@code init} and is taking messages. */
    default void started(Pid pid) {}

    /** A process ended, for any reason. Called exactly once per process that was spawned. */
    default void exited(Pid pid, ExitReason reason) {}

    /**
     * A call finished, seen from the caller: {@code target} is the name or pid string addressed,
     * {@code message} the request, {@code nanos} the caller's wait.
     */
    default void callFinished(String target, Object message, long nanos, CallOutcome outcome) {}

    /**
     * A call to a process on another node of the cluster finished, seen from the caller (its wait
     * includes waiting for a new owner during a handover). Calls served here are {@link #callFinished}.
     */
    default void remoteCallFinished(String target, Object message, long nanos, CallOutcome outcome) {}

    /** A supervisor restarted one of its children; {@code pid} is the new incarnation. */
    default void restarted(String supervisor, Pid pid) {}

    /** A supervisor exceeded its restart intensity, stopped its children and is exiting. */
    default void escalated(String supervisor, Pid supervisorPid) {}

    /** A sent message was dropped (its target was not running or was stopping). */
    default void sendDropped(String target, Object message, String reason) {}

    /**
     * A reminder's due time was delivered to {@code service}'s {@code onReminder}: {@code outcome} is
     * {@code ok}, or {@code crashed} when the handler threw (the service then crashes as for any handler).
     */
    default void reminderFired(String service, String reminder, String outcome) {}
}
