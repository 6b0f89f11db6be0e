/**
 * One set of resident services across several nodes. {@link io.rusm.cluster.RusmCluster} joins a
 * Hazelcast cluster (membership, failure detection, partition ownership), fills the core's
 * {@link io.rusm.spi.Placement} seam, runs each singleton on the member owning its name's partition,
 * moves it on membership change, and reaches it from every node over the {@code rusm.v1} gRPC wire.
 * Exclusivity never rests on the membership view: each incarnation takes an epoch and a lease from a
 * {@link io.rusm.cluster.LeaseStore} (the shared database when there is one), and is fenced once a
 * newer epoch exists or its lease lapses.
 */
package io.rusm.cluster;
