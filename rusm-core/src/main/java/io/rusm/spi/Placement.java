package io.rusm.spi;

import io.rusm.Down;
import io.rusm.ExitReason;
import io.rusm.MonitorRef;
import io.rusm.Pid;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Where names live when a node is one of several: set once with {@link io.rusm.Node#place(Placement)}.
 * A node consults it only for what it cannot answer locally, so a local call stays a local call:
 * a name registered on this node is always served here.
 */
public interface Placement {

    /**
     * Where calls to {@code name} go when no process runs under it on this node: a {@link Route} to
     * the node that serves it, or null to handle it here (start it on demand, or
     * {@code NoProcessException}).
     */
    Route route(String name);

    /**
     * Whether this node may start {@code name} now (on demand, or by its supervisor). False for a
     * cluster-placed name another node owns, or while this side of a split lacks its quorum.
     */
    boolean mayStartHere(String name);

    /**
     * Called on the fiber of a new incarnation of a named process before its {@code init}: null for
     * names placed per node; else the ownership it must hold to handle each message (its epoch fences
     * its {@code Kv} writes). May block until the previous owner's lease is over, within
     * {@code timeout}; throws to refuse the start.
     */
    Ownership acquire(Pid pid, Duration timeout);

    /**
     * Starts watching {@code ref.target()}, a process on another node; {@code onDown} receives the
     * reason once when it ends ({@link ExitReason#NOCONNECTION} when its node is lost, at once
     * {@code noproc} if it is not running). Never blocks on the remote node.
     */
    void monitor(MonitorRef ref, Consumer<ExitReason> onDown);

    /** Stops a watch started with {@link #monitor}; no {@link Down} follows. */
    void demonitor(MonitorRef ref);
}
