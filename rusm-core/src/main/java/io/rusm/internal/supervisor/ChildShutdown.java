package io.rusm.internal.supervisor;

import io.rusm.ChildSpec;
import io.rusm.ExitReason;
import io.rusm.internal.process.Runtime;
import io.rusm.Pid;
import io.rusm.internal.process.Deadlines;
import io.rusm.internal.process.Process;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * OTP's {@code shutdown/2} for one child, by its shutdown timeout: {@code 0} is a brutal kill
 * (killed at once: no drain, no stop hook), {@link ChildSpec#INFINITY} (or any duration too large
 * for nanoseconds) a graceful stop waited for without limit, anything else a graceful stop that is
 * killed at the deadline. The caller unlinks first, so the exit is not taken for a crash.
 */
final class ChildShutdown {
    private ChildShutdown() {}

    /** Stops {@code pid} and returns how it ended ({@code noproc} if it had already ended). */
    static ExitReason stop(Runtime node, Pid pid, Duration timeout) {
        if (!timeout.isZero()) return node.stop(pid, timeout);
        Process p = node.byPid(pid);
        return p == null ? ExitReason.NOPROC : kill(node, p);
    }

    /**
     * Stops many like children at once (a simple-one-for-one pool, as OTP does): all are asked,
     * then all are waited for against one deadline.
     */
    static void stopAll(Runtime node, List<Pid> pids, Duration timeout) {
        List<Process> live = pids.stream().map(node::byPid).filter(p -> p != null).toList();
        if (timeout.isZero()) {
            live.forEach(p -> kill(node, p));
            return;
        }
        live.forEach(Process::requestStop);
        long deadline = Deadlines.after(System.nanoTime(), timeout);
        for (Process p : live) awaitOrKill(node, p, deadline);
    }

    /** Waits until {@code pid} has ended, killing it if it has not by {@code timeout} (infinite: no limit). */
    static void awaitGone(Runtime node, Pid pid, Duration timeout) {
        Process p = node.byPid(pid);
        if (p != null) awaitOrKill(node, p, Deadlines.after(System.nanoTime(), timeout));
    }

    private static ExitReason kill(Runtime node, Process p) {
        node.kill(p.pid());
        return awaitOrKill(node, p, Deadlines.NONE); // a kill is immediate; this only reads the reason
    }

    private static ExitReason awaitOrKill(Runtime node, Process p, long deadline) {
        CompletableFuture<ExitReason> exit = p.exitFuture();
        try {
            return Deadlines.await(exit, deadline);
        } catch (TimeoutException | ExecutionException e) {
            node.kill(p.pid());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            node.kill(p.pid());
        }
        return exit.getNow(ExitReason.KILLED);
    }
}
