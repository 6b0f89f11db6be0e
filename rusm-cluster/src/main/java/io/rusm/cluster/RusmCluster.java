package io.rusm.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.rusm.ExitReason;
import io.rusm.MonitorRef;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.spi.Ownership;
import io.rusm.spi.Placement;
import io.rusm.spi.Route;
import io.rusm.wire.WireServer;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * This node's membership of a rusm cluster. {@link #start} joins (or uses an application's own
 * {@link HazelcastInstance}), places itself on the node, and from {@link #resume()} on runs the
 * singletons this node owns. {@link #leave} hands them over gracefully; {@link #close} leaves at once.
 *
 * <p>Guarantees and limits: a singleton runs where its name's partition is owned; exclusivity is
 * the {@link LeaseStore}'s (a new owner waits for the old lease to end or be released; a fenced
 * owner's {@code Kv} writes fail with {@code FencedException} when the store is the shared database).
 * Calls between nodes are at most once. Hazelcast CE's membership port has no TLS or
 * authentication: keep it on a private network.
 */
public final class RusmCluster implements Placement, AutoCloseable {
    private final Node node;
    private final ClusterSettings settings;
    private final HazelcastInstance hazelcast;
    private final boolean ownsHazelcast;
    private final Membership membership;
    private final Channels channels;
    private final OwnerRoute route;
    private final RemoteMonitors monitors;
    private final LeaseStore store;
    private final Leases leases;
    private final Singletons singletons;
    private final KeyShards keys;

    private RusmCluster(Node node, ClusterSettings settings, HazelcastInstance hazelcast, boolean ownsHazelcast,
                        Function<HazelcastInstance, LeaseStore> storeFactory, ClusterListener listener) {
        this.node = node;
        this.settings = settings;
        this.hazelcast = hazelcast;
        this.ownsHazelcast = ownsHazelcast;
        this.membership = new Membership(hazelcast, settings.minMembers());
        this.channels = new Channels(WireServer.DEFAULT_MAX_MESSAGE_SIZE);
        this.route = new OwnerRoute(node, membership, channels);
        this.monitors = new RemoteMonitors(membership, channels);
        this.store = storeFactory.apply(hazelcast);
        this.leases = new Leases(store, node.name(), settings.lease(), node.runtime(), membership, listener);
        this.singletons = new Singletons(node, membership, settings.singletons(), Duration.ofSeconds(30));
        this.keys = new KeyShards(node, membership, leases);
        membership.onChange(m -> {
            Set<String> live = new HashSet<>();
            for (Member member : m.members()) if (member.wire() != null) live.add(member.wire());
            channels.retainOnly(live); // calls and monitors in flight to a lost member fail now: noconnection
            listener.membersChanged(m.size());
            singletons.wake();
        });
    }

    /**
     * Joins the cluster (a new embedded Hazelcast member, or {@code existing} when the application has
     * one) and places {@code node} in it. Singletons start only after {@link #resume()}.
     *
     * @param leaseStore the store of epochs and leases: a {@link JdbcLeaseStore} on the database of the
     *                   JDBC {@code Kv}, or null for {@link HazelcastLeaseStore}
     */
    public static RusmCluster start(Node node, ClusterSettings settings, HazelcastInstance existing, LeaseStore leaseStore,
                                    ClusterListener listener) {
        // An application's own instance keeps its own config (member attributes included: see README).
        HazelcastInstance hz = existing != null ? existing : Hazelcast.newHazelcastInstance(config(settings, node.name()));
        RusmCluster cluster = new RusmCluster(node, settings, hz, existing == null,
                h -> leaseStore != null ? leaseStore : new HazelcastLeaseStore(h), listener == null ? new ClusterListener() { } : listener);
        node.place(cluster);
        return cluster;
    }

    /** The Hazelcast member configuration rusm builds: loopback by default, TCP/IP join, no multicast. */
    public static Config config(ClusterSettings s, String nodeName) {
        Config c = new Config();
        c.setClusterName(s.clusterName());
        c.setProperty("hazelcast.logging.type", "slf4j");
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.shutdownhook.enabled", "false"); // rusm leaves in order, after its handover
        c.setProperty("hazelcast.socket.bind.any", "false");
        c.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        c.setProperty("hazelcast.max.no.heartbeat.seconds", Long.toString(Math.max(2, (s.failureTimeout().toMillis() + 999) / 1000)));
        c.setProperty("hazelcast.merge.first.run.delay.seconds", "10");
        c.setProperty("hazelcast.merge.next.run.delay.seconds", "10");
        NetworkConfig net = c.getNetworkConfig();
        net.setPort(s.port()).setPortAutoIncrement(false);
        net.getInterfaces().setEnabled(true).addInterface(s.address());
        net.setPublicAddress(s.address() + ":" + s.port());
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(s.members().isEmpty() ? List.of(s.address() + ":" + s.port()) : s.members());
        c.getMemberAttributeConfig().setAttribute(Membership.NODE_ATTRIBUTE, nodeName);
        c.getMemberAttributeConfig().setAttribute(Membership.WIRE_ATTRIBUTE, s.wireTarget());
        return c;
    }

    /** From now on singletons this node owns start here (call once the supervision tree runs). */
    public void resume() {
        singletons.resume();
    }

    /**
     * Graceful leave: stop taking singletons, drain and stop the ones running here (each gives its
     * lease back, so the next owner starts at once), then leave the membership.
     */
    public void leave(Duration drainTimeout) {
        singletons.pause();
        leases.leaving();
        if (ownsHazelcast) hazelcast.getLifecycleService().shutdown(); // partitions migrate: calls go to the new owners
        singletons.stopAll(drainTimeout);
        keys.stopAll(drainTimeout);
    }

    @Override
    public void close() {
        singletons.close();
        keys.close();
        leases.close();
        store.close();
        if (ownsHazelcast && hazelcast.getLifecycleService().isRunning()) hazelcast.getLifecycleService().terminate();
        channels.close();
    }

    // ---- Placement ----------------------------------------------------------------------------

    /**
     * Every singleton this node does not run, and every key of a keyed service, goes through the
     * route, also when this node owns it and it is not started yet: the route starts it here and
     * waits through a handover, where a plain on-demand start would fail while the previous owner
     * still drains.
     */
    @Override
    public Route route(String name) {
        return settings.singletons().contains(name) || node.keyedServiceOf(name).isPresent() ? route : null;
    }

    @Override
    public boolean mayStartHere(String name) {
        if (node.keyedServiceOf(name).isPresent()) return keys.mayRunHere(name);
        return singletons.mayRunHere(name);
    }

    @Override
    public Ownership acquire(Pid pid, Duration timeout) {
        if (settings.singletons().contains(pid.name())) return leases.acquire(pid, timeout, singletons::mayRunHere);
        String service = node.keyedServiceOf(pid.name()).orElse(null);
        return service == null ? null : keys.acquire(pid, service, timeout);
    }

    @Override
    public void monitor(MonitorRef ref, Consumer<ExitReason> onDown) {
        monitors.monitor(ref, onDown);
    }

    @Override
    public void demonitor(MonitorRef ref) {
        monitors.demonitor(ref);
    }

    // ---- views --------------------------------------------------------------------------------

    public String localNode() {
        return node.name();
    }

    /** Node names of the members this node sees, itself included. */
    public List<String> members() {
        return membership.members().stream().map(Member::node).toList();
    }

    public boolean quorum() {
        return membership.quorum();
    }

    public int minMembers() {
        return settings.minMembers();
    }

    public Set<String> singletons() {
        return settings.singletons();
    }

    /** The node that owns {@code name} (a singleton, or a key {@code <service>/<key>}) by placement now, if any. */
    public Optional<String> ownerOf(String name) {
        return Optional.ofNullable(membership.ownerOf(name)).map(Member::node);
    }

    /** The newest epoch and holder of {@code singleton} in the lease store. */
    public Optional<LeaseStore.Holder> holder(String singleton) {
        return store.current(singleton);
    }

    /** Whether the lease store fences {@code Kv} writes (the shared database). */
    public boolean fencesKv() {
        return store.fencesKv();
    }

    public HazelcastInstance hazelcast() {
        return hazelcast;
    }

    /** Keyed shards (a service's keys in one partition) this node holds a lease for. */
    public int keyShards() {
        return keys.size();
    }

    /** Remote monitors held by this node's processes (for leak checks). */
    public int remoteMonitors() {
        return monitors.size();
    }
}
