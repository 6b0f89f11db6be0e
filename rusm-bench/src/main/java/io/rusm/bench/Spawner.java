package io.rusm.bench;

import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.ServiceDefinition;
import io.rusm.SpawnOptions;
import io.rusm.internal.service.HandlerKey;
import io.rusm.internal.service.Invocation;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Starts one named counter service and makes its first call, per system: the workload of the spawn
 * benchmark and of the memory main. {@link #stopAll} ends what was spawned.
 */
public interface Spawner extends AutoCloseable {

    /** Spawns a counter service registered as {@code name}, calls it once, returns the reply. */
    long spawnAndCall(String name);

    /** Stops everything spawned so far. */
    void stopAll();

    @Override
    void close();

    static Spawner create(String system) {
        return switch (system) {
            case "direct" -> new Direct();
            case "vt-queue" -> new VtQueueSpawner();
            case "pekko" -> new PekkoSpawner();
            case "rusm" -> new RusmRaw();
            case "rusm-service" -> new RusmService();
            default -> throw new IllegalArgumentException("unknown system " + system);
        };
    }

    /** Plain objects in a concurrent map: the floor (allocation plus a map entry). */
    final class Direct implements Spawner {
        private final ConcurrentHashMap<String, Counter.SynchronizedCounter> registry = new ConcurrentHashMap<>();

        @Override
        public long spawnAndCall(String name) {
            registry.put(name, new Counter.SynchronizedCounter());
            return registry.get(name).call(1);
        }

        @Override
        public void stopAll() {
            registry.clear();
        }

        @Override
        public void close() {
            stopAll();
        }
    }

    /** A virtual-thread loop per service, registered in a concurrent map. */
    final class VtQueueSpawner implements Spawner {
        private final ConcurrentHashMap<String, VtQueue.Loop> registry = new ConcurrentHashMap<>();

        @Override
        public long spawnAndCall(String name) {
            registry.put(name, new VtQueue.Loop(null));
            return registry.get(name).call(1);
        }

        @Override
        public void stopAll() {
            registry.values().forEach(VtQueue.Loop::stop);
            registry.clear();
        }

        @Override
        public void close() {
            stopAll();
        }
    }

    /** A named actor spawned under the guardian with {@code SpawnProtocol}, then asked once. */
    final class PekkoSpawner implements Spawner {
        private final PekkoSystem pekko = new PekkoSystem();
        private final ConcurrentHashMap<String, ActorRef<PekkoSystem.Msg>> spawned = new ConcurrentHashMap<>();
        private final boolean keep;

        PekkoSpawner() {
            this(true);
        }

        /** {@code keep} false: do not remember the refs (the memory main; the guardian holds them). */
        PekkoSpawner(boolean keep) {
            this.keep = keep;
        }

        @Override
        public long spawnAndCall(String name) {
            ActorRef<PekkoSystem.Msg> ref = pekko.spawn(PekkoSystem.CounterActor.create(), name);
            if (keep) spawned.put(name, ref);
            return pekko.call(ref, 1);
        }

        @Override
        public void stopAll() {
            spawned.values().forEach(ref -> ref.tell(new PekkoSystem.Stop()));
            spawned.clear();
        }

        @Override
        public void close() {
            pekko.close();
        }
    }

    /** What both rusm spawners share: their node, and the services they keep to stop later. */
    abstract sealed class OnRusm implements Spawner permits RusmRaw, RusmService {
        private Node node = newNode();
        private final List<Pid> spawned = new ArrayList<>();
        private final boolean keep;

        OnRusm(boolean keep) {
            this.keep = keep;
        }

        /** A node with the default hibernate-after, or {@code -Drusm.bench.hibernateAfter} (an ISO duration, PT1S). */
        private static Node newNode() {
            String after = System.getProperty("rusm.bench.hibernateAfter");
            return after == null ? Node.create() : Node.builder().hibernateAfter(java.time.Duration.parse(after)).build();
        }

        /** Spawns and registers the service under {@code name}. */
        abstract Pid spawn(Node node, String name);

        /** The first call to it, as its users would make it. */
        abstract Long firstCall(Node node, String name);

        @Override
        public final long spawnAndCall(String name) {
            Pid pid = spawn(node, name);
            if (keep) {
                synchronized (spawned) {
                    spawned.add(pid);
                }
            }
            return firstCall(node, name);
        }

        @Override
        public final void stopAll() {
            synchronized (spawned) {
                spawned.forEach(node::kill);
                spawned.clear();
            }
        }

        /**
         * A fresh node: the old one remembers every name (and service definition) it was given and
         * would grow over a run that spawns a million differently named services.
         */
        final void renewNode() {
            stopAll();
            node.close();
            node = newNode();
        }

        @Override
        public final void close() {
            node.close();
        }

        final Node node() {
            return node;
        }
    }

    /** rusm's low-level API: {@code node.spawn(named(name), behavior)}, then {@code node.call(name, ...)}. */
    final class RusmRaw extends OnRusm {
        RusmRaw() {
            this(true);
        }

        RusmRaw(boolean keep) {
            super(keep);
        }

        @Override
        Pid spawn(Node node, String name) {
            return node.spawn(SpawnOptions.named(name), new Counter.CounterBehavior());
        }

        @Override
        Long firstCall(Node node, String name) {
            return node.call(name, 1L);
        }
    }

    /**
     * A {@code @ResidentService} spawned under its own name. A {@code @ServiceClient} proxy is bound
     * to one fixed name, so the first call goes through {@code node.call} with the invocation a proxy
     * would send (rusm's internal message type: there is no public typed client for a name chosen at
     * run time).
     */
    final class RusmService extends OnRusm {
        static final HandlerKey BUMP = HandlerKey.of("bump", long.class);

        RusmService() {
            this(true);
        }

        RusmService(boolean keep) {
            super(keep);
        }

        @Override
        Pid spawn(Node node, String name) {
            return node.spawnService(ServiceDefinition.of(name, CounterService.class), CounterService::new, SpawnOptions.named(name));
        }

        @Override
        Long firstCall(Node node, String name) {
            return node.call(name, new Invocation(BUMP, -1, new Object[] {1L}));
        }
    }
}
