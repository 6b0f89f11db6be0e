package io.rusm.internal.supervisor;

import io.rusm.ChildSnapshot;
import io.rusm.ChildSpec;
import io.rusm.ChildStatus;
import io.rusm.ExitReason;
import io.rusm.internal.process.Runtime;
import io.rusm.Pid;
import io.rusm.RestartType;
import io.rusm.SupervisorSpec;
import io.rusm.WorkerSpec;
import io.rusm.WorkerTemplate;

import java.time.Duration;
import java.util.List;

/**
 * A supervisor's record of one child: a named child from a {@link ChildSpec}, or a member of a
 * simple-one-for-one pool made from the {@link WorkerTemplate} with its own arguments. Written
 * only on the supervisor's fiber; fields are volatile so health checks on other threads read a
 * current view without asking the supervisor.
 */
final class Child {
    /** The spec of a named child; null for a pool member. */
    final ChildSpec spec;
    /** The template of a pool member; null for a named child. */
    final WorkerTemplate template;
    /** A pool member's start arguments, kept only if it may be restarted (never for temporary ones). */
    final List<Object> args;
    volatile Pid pid;
    volatile ChildStatus status = ChildStatus.STOPPED;
    volatile long restarts;
    volatile ExitReason lastExitReason;
    /** A pool member's key in its supervisor's pool: its current pid, or its last one while it restarts. */
    Pid poolKey;
    /** For a nested supervisor: the behavior of its current (or latest) incarnation, to read its children. */
    volatile SupervisorBehavior nested;

    private Child(ChildSpec spec, WorkerTemplate template, List<Object> args) {
        this.spec = spec;
        this.template = template;
        this.args = args;
    }

    static Child named(ChildSpec spec) {
        return new Child(spec, null, null);
    }

    static Child poolMember(WorkerTemplate template, List<Object> args) {
        return new Child(null, template, template.restart() == RestartType.TEMPORARY ? null : List.copyOf(args));
    }

    String name() {
        return spec != null ? spec.name() : template.name();
    }

    RestartType restart() {
        return spec != null ? spec.restart() : template.restart();
    }

    Duration shutdownTimeout() {
        return spec != null ? spec.shutdownTimeout() : template.shutdownTimeout();
    }

    boolean isPoolMember() {
        return template != null;
    }

    boolean isSupervisor() {
        return spec instanceof SupervisorSpec;
    }

    /** A non-resident worker: started on its first call or send, not with its supervisor. */
    boolean isOnDemand() {
        return spec instanceof WorkerSpec w && !w.resident();
    }

    /**
     * This child as it is now, read from live state: a pid whose process has ended is not shown as
     * running, and when {@code supervisorAlive} is false (the supervisor itself was killed or
     * stopped) nothing under it is, whatever its last table said.
     */
    ChildSnapshot snapshot(Runtime node, boolean supervisorAlive) {
        Pid p = pid;
        ChildStatus s = status;
        if (p != null && (!supervisorAlive || !node.isAlive(p))) {
            p = null;
            s = ChildStatus.STOPPED;
        } else if (!supervisorAlive && s != ChildStatus.ESCALATED) {
            s = ChildStatus.STOPPED;
        }
        if (spec instanceof SupervisorSpec sup) {
            SupervisorBehavior n = nested;
            return new ChildSnapshot.Supervisor(sup.name(), s, p, restarts, lastExitReason, sup.strategy(),
                    sup.intensity(), sup.period(), n == null ? List.of() : n.childSnapshots(p != null));
        }
        return new ChildSnapshot.Worker(name(), s, p, restarts, lastExitReason, restart());
    }
}
