package io.rusm.spring.actuate;

import io.rusm.ChildSnapshot;
import org.jspecify.annotations.Nullable;

import java.util.List;

/** Finds a node of a supervision tree snapshot by its path of names below the root. */
final class TreeLookup {
    private TreeLookup() {}

    static @Nullable ChildSnapshot find(ChildSnapshot.Supervisor root, List<String> path) {
        ChildSnapshot current = root;
        for (String name : path) {
            if (!(current instanceof ChildSnapshot.Supervisor s)) return null;
            current = s.children().stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
            if (current == null) return null;
        }
        return current;
    }

    /** Whether the node at {@code path} or any supervisor above it (the root included) escalated. */
    static boolean escalatedOnPath(ChildSnapshot.Supervisor root, List<String> path) {
        ChildSnapshot current = root;
        if (current.status() == io.rusm.ChildStatus.ESCALATED) return true;
        for (String name : path) {
            if (!(current instanceof ChildSnapshot.Supervisor s)) return false;
            current = s.children().stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
            if (current == null) return false;
            if (current.status() == io.rusm.ChildStatus.ESCALATED) return true;
        }
        return false;
    }

    /** Whether the root and every supervisor on the way to {@code path} (its parent included) are running. */
    static boolean supervisorsRunning(ChildSnapshot.Supervisor root, List<String> path) {
        ChildSnapshot current = root;
        for (int i = 0; i < path.size(); i++) {
            if (!(current instanceof ChildSnapshot.Supervisor s) || s.status() != io.rusm.ChildStatus.RUNNING) return false;
            String name = path.get(i);
            current = s.children().stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
            if (current == null) return i == path.size() - 1; // the leaf itself may be gone (deleted temporary)
        }
        return true;
    }
}
