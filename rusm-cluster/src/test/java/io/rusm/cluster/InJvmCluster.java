package io.rusm.cluster;

import io.rusm.LoopbackPorts;
import io.rusm.Node;
import io.rusm.wire.WireServer;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import static org.awaitility.Awaitility.await;

/**
 * Members of one rusm cluster in this JVM (a Hazelcast member and a wire on loopback each), and
 * everything the test opened for them, closed in reverse order.
 */
final class InJvmCluster implements AutoCloseable {
    /** One member: its node, its wire (closing it is how a test loses the node) and its membership. */
    record Member(Node node, WireServer wire, RusmCluster cluster) {}

    private final String name;
    private final List<String> addresses = new ArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    final List<Member> members = new ArrayList<>();

    /** Room for {@code size} members, each on a free membership port (all listed to every member). */
    InJvmCluster(String name, int size) {
        this.name = name;
        // Outside the ephemeral range: the members dialling each other must not take a later member's port.
        for (int i = 0; i < size; i++) addresses.add("127.0.0.1:" + LoopbackPorts.reserve());
    }

    /** Keeps {@code resource} to close with the cluster. */
    <T extends AutoCloseable> T keep(T resource) {
        open.add(resource);
        return resource;
    }

    /**
     * Starts member {@code i} (node {@code n<i+1>}): {@code beforeJoin} declares what the node needs
     * before it joins, {@code services} starts its supervision tree, then the member resumes.
     *
     * @param leases the lease store, or null for Hazelcast's map
     */
    Member start(int i, LeaseStore leases, Set<String> singletons, Consumer<Node> beforeJoin, Consumer<Node> services) throws IOException {
        Node node = keep(Node.builder().name("n" + (i + 1)).build());
        beforeJoin.accept(node);
        WireServer wire = keep(WireServer.builder(node).address("127.0.0.1").port(0).start());
        String address = addresses.get(i);
        ClusterSettings s = new ClusterSettings(name, "127.0.0.1", Integer.parseInt(address.substring(address.indexOf(':') + 1)),
                addresses, 1, Duration.ofSeconds(5), "127.0.0.1:" + wire.port(), singletons);
        RusmCluster cluster = keep(RusmCluster.start(node, s, null, leases, null));
        services.accept(node);
        cluster.resume();
        Member m = new Member(node, wire, cluster);
        members.add(m);
        return m;
    }

    /** Every started member sees all of them, and no partition is migrating (a name may still move once before). */
    void awaitSettled() {
        int n = members.size();
        await().atMost(Duration.ofSeconds(60)).until(() -> members.stream().allMatch(m -> m.cluster().members().size() == n));
        await().atMost(Duration.ofSeconds(60)).until(() -> members.stream().allMatch(m -> m.cluster().hazelcast().getPartitionService().isClusterSafe()));
    }

    @Override
    public void close() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception ignored) {
                // next
            }
        }
    }
}
