package io.rusm.internal.process;

import io.rusm.Pid;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names to live processes. Anonymous processes are registered under their generated
 * {@code <anon-N>} name too, so a pid always resolves with one lookup plus an incarnation check.
 */
final class Registry {
    private final ConcurrentHashMap<String, Process> byName = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> incarnations = new ConcurrentHashMap<>();

    long nextIncarnation(String name) {
        return incarnations.merge(name, 1L, Long::sum);
    }

    /** Registers {@code p}; a dead previous holder of the name is replaced, a live one is an error. */
    void register(Process p) {
        String name = p.pid.name();
        while (true) {
            Process existing = byName.putIfAbsent(name, p);
            if (existing == null) return;
            if (existing.isAlive()) {
                throw new IllegalStateException("name '" + name + "' is already registered to " + existing.pid);
            }
            if (byName.replace(name, existing, p)) return;
        }
    }

    void unregister(Process p) {
        byName.remove(p.pid.name(), p);
    }

    Process byName(String name) {
        Process p = byName.get(name);
        return p != null && p.isAlive() ? p : null;
    }

    Process byPid(Pid pid) {
        Process p = byName.get(pid.name());
        return p != null && p.pid.equals(pid) && p.isAlive() ? p : null;
    }

    int size() {
        return byName.size();
    }

    List<Process> all() {
        return new ArrayList<>(byName.values());
    }
}
