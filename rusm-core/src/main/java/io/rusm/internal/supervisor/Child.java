package io.rusm.internal.supervisor;

import io.rusm.ChildSnapshot;
import io.rusm.ChildSpec;
import io.rusm.ChildStatus;
import io.rusm.ExitReason;
import io.rusm.Pid;
import io.rusm.SupervisorSpec;
import io.rusm.WorkerSpec;

/**
 * A supervisor's record of one child. Written only on the supervisor's fiber; fields are volatile
 * so health checks on other threads read a current view without asking the supervisor.
 */
final class Child {
    final ChildSpec spec;
    volatile Pid pid;
    volatile ChildStatus status = ChildStatus.STOPPED;
    volatile long restarts;
    volatile ExitReason lastExitReason;
    /** For a nested supervisor: the behavior of its current incarnation, to read its children. */
    volatile SupervisorBehavior nested;

    Child(ChildSpec spec) {
        this.spec = spec;
    }

    String name() {
        return spec.name();
    }

    boolean isRunning() {
        return pid != null;
    }

    ChildSnapshot snapshot() {
        return switch (spec) {
            case WorkerSpec w -> new ChildSnapshot.Worker(w.name(), status, pid, restarts, lastExitReason, w.restart());
            case SupervisorSpec s -> {
                SupervisorBehavior n = nested;
                yield new ChildSnapshot.Supervisor(s.name(), status, pid, restarts, lastExitReason, s.strategy(),
                        s.intensity(), s.period(), n == null ? java.util.List.of() : n.childSnapshots());
            }
        };
    }
}
