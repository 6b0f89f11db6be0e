package io.rusm;

import java.io.Serializable;
import java.util.Objects;

/**
 * Identifies one incarnation of a process: its node, its name and its incarnation number.
 *
 * <p>A restarted service keeps its name but gets a new incarnation, so a {@code Pid} held across a
 * restart addresses the dead incarnation (calls to it fail with {@link NoProcessException});
 * address by name to reach whatever incarnation is current. A {@code Pid} is a plain value with no
 * reference to the process, so it can cross a wire unchanged once nodes are clustered.
 *
 * @param node        the node that runs the process
 * @param name        the registered name, or a generated {@code "<anon-N>"} for unnamed processes
 * @param incarnation 1 for the first start under this name, incremented on every restart
 */
public record Pid(String node, String name, long incarnation) implements Serializable {

    public Pid {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(name, "name");
        if (incarnation < 1) throw new IllegalArgumentException("incarnation must be >= 1: " + incarnation);
    }

    /** Whether this pid was registered under a user-chosen name (rather than an anonymous one). */
    public boolean isNamed() {
        return !name.startsWith("<anon-");
    }

    @Override
    public String toString() {
        return "<" + node + "." + name + "." + incarnation + ">";
    }
}
