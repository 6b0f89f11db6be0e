package io.rusm.internal.process;

import io.rusm.ExitReason;
import io.rusm.Pid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one log line per process end. A process's own crash is logged once at ERROR with its stack
 * trace; deaths that arrive from outside (kill, links) at WARN without repeating a stack trace that
 * was already logged where it happened; normal ends at DEBUG.
 */
final class ExitLog {
    private static final Logger log = LoggerFactory.getLogger("io.rusm.process");

    private ExitLog() {}

    static void log(Pid pid, ExitReason reason, boolean own) {
        switch (reason) {
            case ExitReason.Crashed c when own -> log.error("process {} (component '{}', incarnation {}) crashed: {}",
                    pid, pid.name(), pid.incarnation(), c.cause().toString(), c.cause());
            case ExitReason.MemoryLimit m -> log.error("process {} (component '{}', incarnation {}) exceeded its memory cap: {} > {} bytes",
                    pid, pid.name(), pid.incarnation(), m.usedBytes(), m.limitBytes());
            case ExitReason.Normal n -> log.debug("process {} exited normally", pid);
            case ExitReason.Escalated e -> log.debug("supervisor {} exited after escalating", pid); // logged at ERROR by the supervisor
            case ExitReason.Shutdown s -> log.debug("process {} shut down", pid);
            default -> log.warn("process {} (component '{}', incarnation {}) exited: {}",
                    pid, pid.name(), pid.incarnation(), reason.label());
        }
    }
}
