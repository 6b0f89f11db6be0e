package io.rusm.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How a node joins its cluster.
 *
 * @param clusterName    only members with the same name join each other
 * @param address        the membership bind address (Hazelcast binds only there)
 * @param port           the membership port
 * @param members        seed members, {@code host:port} each (TCP/IP join); empty: this node alone, until others find it
 * @param minMembers     quorum: singletons run only on a side with at least this many members
 * @param failureTimeout a silent member is removed after this long (Hazelcast's {@code max.no.heartbeat})
 * @param wireTarget     {@code host:port} where this node's {@code rusm.v1} wire listens (told to the others)
 * @param singletons     the names placed once per cluster
 */
public record ClusterSettings(String clusterName, String address, int port, List<String> members, int minMembers,
                              Duration failureTimeout, String wireTarget, Set<String> singletons) {

    public ClusterSettings {
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(address, "address");
        members = List.copyOf(members);
        singletons = Set.copyOf(singletons);
        Objects.requireNonNull(failureTimeout, "failureTimeout");
        Objects.requireNonNull(wireTarget, "wireTarget");
        if (minMembers < 1) throw new IllegalArgumentException("minMembers must be >= 1: " + minMembers);
        if (failureTimeout.toMillis() < 1000) throw new IllegalArgumentException("failureTimeout must be >= 1s: " + failureTimeout);
    }

    /**
     * How long an owner holds a singleton without renewing: shorter than the failure timeout (so a
     * frozen owner's lease is over before the others give its singletons away), and short enough
     * that a failover after {@code kill -9} need not wait long for it.
     */
    public Duration lease() {
        return Duration.ofMillis(Math.min(1_000, failureTimeout.toMillis() / 2));
    }
}
