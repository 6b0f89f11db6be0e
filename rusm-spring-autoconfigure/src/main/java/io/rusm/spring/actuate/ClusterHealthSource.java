package io.rusm.spring.actuate;

import org.jspecify.annotations.Nullable;

import java.util.Map;

/**
 * What the cluster adds to the {@code rusm} health tree (a bean of the cluster auto-configuration):
 * a {@code cluster} leaf, and where each singleton runs.
 */
public interface ClusterHealthSource {

    /** This node, the members it sees, the quorum and whether it is met. */
    Map<String, Object> details();

    boolean quorumMet();

    /**
     * For a singleton: {@code node} and {@code epoch} of its current owner and whether that owner
     * holds it now ({@code running}); null for a component that is not a singleton.
     */
    @Nullable Map<String, Object> singleton(String name);
}
