package io.rusm.cluster;

/** What a cluster reports, for metrics and logs. Called on rusm's own threads; must not block. */
public interface ClusterListener {

    /** The membership changed; {@code members} is the count this node sees now. */
    default void membersChanged(int members) {
    }

    /** A singleton started here after it ran elsewhere: {@code cause} is {@code rebalance} or {@code failover}. */
    default void handover(String service, String cause) {
    }
}
