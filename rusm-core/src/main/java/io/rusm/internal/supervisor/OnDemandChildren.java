package io.rusm.internal.supervisor;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Non-resident children by name, with the supervisor incarnation that starts them on their first
 * call or send. An entry lives as long as that incarnation: it is removed when the supervisor
 * ends (however it ends), so a node keeps nothing for supervisors that are gone, and a restarted
 * supervisor's entries are never removed by its predecessor's cleanup.
 *
 * <p>The node can be told when a name becomes startable on demand and when it stops being so
 * ({@link #onChange}): that is how due reminders of idle on-demand services are watched.
 */
public final class OnDemandChildren {
    private final ConcurrentHashMap<String, SupervisorBehavior> bySupervisor = new ConcurrentHashMap<>();
    private volatile Consumer<String> added = name -> { };
    private volatile Consumer<String> removed = name -> { };

    /** Calls {@code added} when a name becomes startable on demand, {@code removed} when it no longer is. */
    public void onChange(Consumer<String> added, Consumer<String> removed) {
        this.added = added;
        this.removed = removed;
    }

    /** The callbacks run under the lock (they are short and never block), so they see changes in order. */
    synchronized void register(String child, SupervisorBehavior supervisor) {
        bySupervisor.put(child, supervisor);
        added.accept(child);
    }

    /** A successor that registered meanwhile keeps its entry and its watch. */
    synchronized void unregister(String child, SupervisorBehavior supervisor) {
        if (bySupervisor.remove(child, supervisor)) removed.accept(child);
    }

    /** The supervisor that starts {@code child} on demand, or null if none does. */
    public SupervisorBehavior supervisorOf(String child) {
        return bySupervisor.get(child);
    }

    /** Entries now (for tests of what a node keeps). */
    public int size() {
        return bySupervisor.size();
    }
}
