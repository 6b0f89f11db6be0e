package io.rusm.cluster;

/**
 * A member as rusm sees it.
 *
 * @param node  its rusm node name (the {@code node()} of its pids)
 * @param wire  {@code host:port} of its {@code rusm.v1} wire
 * @param local whether it is this node
 */
public record Member(String node, String wire, boolean local) {}
