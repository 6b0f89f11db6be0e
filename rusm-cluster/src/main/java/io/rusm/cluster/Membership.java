package io.rusm.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.Partition;
import com.hazelcast.partition.ReplicaMigrationEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The Hazelcast view: who is a member, who owns a name's partition. A hint for placement only;
 * exclusivity comes from the {@link LeaseStore}.
 */
final class Membership {
    static final String NODE_ATTRIBUTE = "rusm.node";
    static final String WIRE_ATTRIBUTE = "rusm.wire";

    private final HazelcastInstance hazelcast;
    private final int minMembers;

    Membership(HazelcastInstance hazelcast, int minMembers) {
        this.hazelcast = hazelcast;
        this.minMembers = minMembers;
    }

    /** Calls {@code onChange} (with the member count) after every membership change or migration. */
    void onChange(Consumer<Membership> onChange) {
        hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent e) {
                onChange.accept(Membership.this);
            }

            @Override
            public void memberRemoved(MembershipEvent e) {
                onChange.accept(Membership.this);
            }
        });
        hazelcast.getPartitionService().addMigrationListener(new MigrationListener() {
            @Override
            public void migrationStarted(MigrationState state) {
            }

            @Override
            public void migrationFinished(MigrationState state) {
                onChange.accept(Membership.this);
            }

            @Override
            public void replicaMigrationCompleted(ReplicaMigrationEvent event) {
            }

            @Override
            public void replicaMigrationFailed(ReplicaMigrationEvent event) {
            }
        });
    }

    /** The member owning {@code name}'s partition, or null while it has none (migration, shutdown). */
    Member ownerOf(String name) {
        try {
            Partition p = hazelcast.getPartitionService().getPartition(name);
            com.hazelcast.cluster.Member m = p.getOwner();
            return m == null ? null : member(m);
        } catch (RuntimeException e) { // not running (shutting down): no owner
            return null;
        }
    }

    /** Whether this side has its quorum and this member owns {@code name}'s partition: where {@code name} may run now. */
    boolean ownedHere(String name) {
        if (!quorum()) return false;
        Member owner = ownerOf(name);
        return owner != null && owner.local();
    }

    /** The id of {@code name}'s partition (names in one partition move together). */
    int partitionOf(String name) {
        return hazelcast.getPartitionService().getPartition(name).getPartitionId();
    }

    /** The member running node {@code node}, or null if it is not a member now. */
    Member byNode(String node) {
        for (Member m : members()) if (m.node().equals(node)) return m;
        return null;
    }

    List<Member> members() {
        List<Member> out = new ArrayList<>();
        try {
            for (com.hazelcast.cluster.Member m : hazelcast.getCluster().getMembers()) out.add(member(m));
        } catch (RuntimeException e) {
            // not running
        }
        return out;
    }

    int size() {
        try {
            return hazelcast.getCluster().getMembers().size();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    boolean quorum() {
        return hazelcast.getLifecycleService().isRunning() && size() >= minMembers;
    }

    int minMembers() {
        return minMembers;
    }

    private static Member member(com.hazelcast.cluster.Member m) {
        String node = m.getAttribute(NODE_ATTRIBUTE);
        String wire = m.getAttribute(WIRE_ATTRIBUTE);
        return new Member(node == null ? m.getUuid().toString() : node, wire, m.localMember());
    }
}
