package io.rusm.cluster;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Where the epochs and leases of singletons and keyed shards are kept. The store's own clock decides when a lease is over,
 * so nodes' clocks never need to agree.
 */
public interface LeaseStore extends AutoCloseable {

    /** A new epoch for {@code owner} if nobody else holds {@code name} now; empty while another lease runs. */
    OptionalLong acquire(String name, String owner, Duration lease);

    /** Extends the lease of {@code epoch}; false once a newer epoch exists. */
    boolean renew(String name, long epoch, Duration lease);

    /**
     * Extends every lease in {@code epochs} (name → epoch) at once; the names renewed (those missing
     * have a newer epoch). One round trip where the store can batch.
     */
    default Set<String> renewAll(Map<String, Long> epochs, Duration lease) {
        Set<String> renewed = new HashSet<>();
        epochs.forEach((name, epoch) -> {
            if (renew(name, epoch, lease)) renewed.add(name);
        });
        return renewed;
    }

    /** Gives {@code name} up so the next owner need not wait for the lease to run out. */
    void release(String name, long epoch);

    /** The newest holder of {@code name}, if it was ever taken. */
    Optional<Holder> current(String name);

    /** Who holds a name: its epoch, its node, and how long its lease still runs (0: over or released). */
    record Holder(long epoch, String owner, long leaseLeftMillis) {}

    /** Lets go of what the store keeps open for this node (the cluster closes it last). */
    @Override
    default void close() {
    }

    /** Whether this store is shared by every node through the database the JDBC {@code Kv} uses (so it fences writes). */
    boolean fencesKv();
}
