package io.rusm.spring.cluster;

import io.rusm.cluster.LeaseStore;
import io.rusm.cluster.RusmCluster;
import io.rusm.spring.actuate.ClusterHealthSource;
import org.jspecify.annotations.Nullable;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The cluster's part of the {@code rusm} health tree, read live on every request. */
final class ClusterHealth implements ClusterHealthSource {
    private final RusmCluster cluster;

    ClusterHealth(RusmCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("node", cluster.localNode());
        d.put("members", cluster.members());
        d.put("minMembers", cluster.minMembers());
        d.put("quorum", cluster.quorum());
        d.put("singletons", cluster.singletons());
        d.put("keyShards", cluster.keyShards()); // keyed services' partitions whose keys run here
        d.put("fencing", cluster.fencesKv() ? "shared database" : "hazelcast map (no Kv fencing)");
        return d;
    }

    @Override
    public boolean quorumMet() {
        return cluster.quorum();
    }

    @Override
    public @Nullable Map<String, Object> singleton(String name) {
        if (!cluster.singletons().contains(name)) return null;
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("placement", "singleton");
        Optional<LeaseStore.Holder> h;
        try {
            h = cluster.holder(name);
        } catch (RuntimeException e) {
            h = Optional.empty();
        }
        d.put("node", h.map(LeaseStore.Holder::owner).orElse(cluster.ownerOf(name).orElse("none")));
        d.put("epoch", h.map(LeaseStore.Holder::epoch).orElse(0L));
        d.put("running", h.map(x -> x.leaseLeftMillis() > 0).orElse(false));
        return d;
    }
}
