package io.rusm.internal.supervisor;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Non-resident children by name, with the supervisor incarnation that starts them on their first
 * call or send. An entry lives as long as that incarnation: it is removed when the supervisor
 * ends (however it ends), so a node keeps nothing for supervisors that are gone, and a restarted
 * supervisor's entries are never removed by its predecessor's cleanup.
 */
public final class OnDemandChildren {
    private final ConcurrentHashMap<String, SupervisorBehavior> bySupervisor = new ConcurrentHashMap<>();

    void register(String child, SupervisorBehavior supervisor) {
        bySupervisor.put(child, supervisor);
    }

    void unregister(String child, SupervisorBehavior supervisor) {
        bySupervisor.remove(child, supervisor);
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
