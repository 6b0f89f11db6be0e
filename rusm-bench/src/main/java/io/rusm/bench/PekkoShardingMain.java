package io.rusm.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rusm.KeyedSpec;
import io.rusm.Node;
import io.rusm.ServiceDefinition;
import io.rusm.SupervisorSpec;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongBiFunction;

/**
 * Keyed services against Pekko Cluster Sharding on one JVM, the same workload and harness for both
 * (BENCHMARKS.md, "Keyed services across nodes and against Pekko Cluster Sharding"):
 * <ul>
 *   <li>{@code pekko-sharding}: a one-node Pekko cluster ({@code pekko.actor.provider = cluster},
 *   artery on 127.0.0.1 port 0, the node joins itself), {@code ClusterSharding.init} of an entity
 *   type {@code hot}: one actor per entity id holding a {@code long}, called with
 *   {@code EntityRef.ask} from virtual threads that block on the reply;</li>
 *   <li>{@code rusm}: one rusm node, the keyed service {@code hot} of {@link ClusterCallMain}
 *   ({@code node.keyedService(KeyedSpec...)}, in-memory total), called through its typed client.</li>
 * </ul>
 * Figures, each after a warm-up of the same shape, printed as {@code RESULT <key> <system> <value> us}:
 * {@code keyed.activation} — 64 callers each calling fresh keys (every call the first to its key,
 * checked: it answers 1) for the measured time, wall time / activations; {@code keyed.hot64} —
 * {@value #HOT_KEYS} keys activated first ({@value #HOT_KEYS_SMALL} when the measured time is under
 * 2 s), then 64 callers calling random ones, wall time / calls; the totals are checked against the
 * acknowledged adds.
 *
 * <pre>java -Xms2g -Xmx2g -cp rusm-bench.jar io.rusm.bench.PekkoShardingMain [warm-up s] [measured s] [systems, in order: pekko-sharding,rusm]</pre>
 *
 * <p>The keys activated stay alive during the activation figure (rusm's idle timeout is 10 min,
 * Pekko's passivation idle timeout 2 min), as they would in an application; {@code KeyedBench} (JMH)
 * kills its fresh keys after each invocation instead, so its activation figure is lower. The hot-key
 * figure runs on a second, fresh instance of the system.
 */
public final class PekkoShardingMain {
    /** Live keys the activation warm-up and figure may leave, at most (see {@link #activations}). */
    static final long MAX_WARM_KEYS = 100_000;
    static final long MAX_FRESH_KEYS = 300_000;
    static final int HOT_KEYS = 10_000;
    static final int HOT_KEYS_SMALL = 1_000;
    static final int CALLERS = 64;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private PekkoShardingMain() {}

    public static void main(String[] args) throws Exception {
        double warmS = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        double measureS = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        // the systems, in this order, one after the other in this JVM
        List<String> systems = List.of((args.length > 2 ? args[2] : "pekko-sharding,rusm").split(","));
        long warm = (long) (warmS * 1000);
        long measure = (long) (measureS * 1000);
        System.out.printf(Locale.ROOT, "# keyed, one JVM: warm-up %d ms, measured %d ms, %d callers, %d cores%n",
                warm, measure, CALLERS, Runtime.getRuntime().availableProcessors());
        try {
            for (String system : systems) run(system, warm, measure).forEach(System.out::println);
        } catch (Exception e) {
            System.err.println("PekkoShardingMain failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    /**
     * Measures both figures, each on a fresh instance of the system (the activation phase leaves
     * hundreds of thousands of live keys: on a 2 GB heap their GC would weigh on the hot-key figure),
     * checks them: the RESULT and comment lines.
     */
    static List<String> run(String system, long warmMs, long measureMs) throws Exception {
        List<String> lines = new ArrayList<>();
        try (Keyed keyed = start(system)) {
            lines.addAll(activations(system, keyed, warmMs, measureMs));
        }
        System.gc(); // the first instance's keys are garbage now: not in the hot-key figure
        try (Keyed keyed = start(system)) {
            lines.addAll(hotKeys(system, keyed, warmMs, measureMs));
        }
        return lines;
    }

    private static Keyed start(String system) throws InterruptedException {
        return switch (system) {
            case "rusm" -> new RusmKeyed();
            case "pekko-sharding" -> new PekkoSharding();
            default -> throw new IllegalArgumentException("rusm or pekko-sharding, not " + system);
        };
    }

    // ---- the two systems -----------------------------------------------------------------------

    /** A family of keyed counters: {@code add(key, n)} returns that key's new total. */
    interface Keyed extends AutoCloseable {
        long add(String key, long n);

        @Override
        void close();
    }

    static final class RusmKeyed implements Keyed {
        private final Node node = Node.create();
        private final ClusterCallMain.HotClient hot;

        RusmKeyed() {
            node.startSupervisor(SupervisorSpec.of("bench").withChildren(List.of(node.keyedService(
                    KeyedSpec.of(ServiceDefinition.of(ClusterCallMain.Hot.class), ClusterCallMain.Hot::new)))));
            hot = node.client(ClusterCallMain.HotClient.class, TIMEOUT);
        }

        @Override
        public long add(String key, long n) {
            return hot.add(key, n);
        }

        @Override
        public void close() {
            node.close();
        }
    }

    static final class PekkoSharding implements Keyed {
        record Add(long n, ActorRef<Long> replyTo) {}

        static final EntityTypeKey<Add> HOT = EntityTypeKey.create(Add.class, "hot");

        static final Config CONFIG = ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = "127.0.0.1"
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                pekko.coordinated-shutdown.exit-jvm = off
                pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                """).withFallback(PekkoSystem.CONFIG);

        private final ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "keyed", CONFIG);
        private final ClusterSharding sharding;

        PekkoSharding() throws InterruptedException {
            Cluster cluster = Cluster.get(system);
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (cluster.selfMember().status() != MemberStatus.up()) {
                if (System.nanoTime() > end) throw new IllegalStateException("the one-node Pekko cluster did not come up within 60 s");
                Thread.sleep(20);
            }
            sharding = ClusterSharding.get(system);
            sharding.init(Entity.of(HOT, ctx -> counter()));
        }

        private static Behavior<Add> counter() {
            return Behaviors.setup(ctx -> {
                long[] total = {0};
                return Behaviors.receive(Add.class).onMessage(Add.class, m -> {
                    total[0] += m.n();
                    m.replyTo().tell(total[0]);
                    return Behaviors.same();
                }).build();
            });
        }

        @Override
        public long add(String key, long n) {
            return sharding.entityRefFor(HOT, key).<Long>ask(replyTo -> new Add(n, replyTo), TIMEOUT).toCompletableFuture().join();
        }

        @Override
        public void close() {
            system.terminate();
            try {
                system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("# the Pekko system did not terminate within 30 s: " + e);
            }
        }
    }

    // ---- the workload (the same as ClusterCallMain's keyed part, on one node) ------------------

    private static List<String> activations(String system, Keyed keyed, long warmMs, long measureMs) throws InterruptedException {
        List<String> lines = new ArrayList<>();
        AtomicLong warmKeys = new AtomicLong();
        AtomicLong freshKeys = new AtomicLong();
        // The fresh keys stay alive: bounded, so that neither system's run ends in a full heap (2 GB holds
        // ~450,000 idle rusm keys with room to spare); a run that reaches the bound ends early, the
        // figure is still wall time / activations.
        callers(warmMs, () -> expectOne(keyed.add("warm-" + warmKeys.getAndIncrement(), 1)), () -> warmKeys.get() >= MAX_WARM_KEYS);
        long[] act = callers(measureMs, () -> expectOne(keyed.add("new-" + freshKeys.getAndIncrement(), 1)),
                () -> freshKeys.get() >= MAX_FRESH_KEYS);
        lines.add(result("keyed.activation", system, act[1] / 1e3 / act[0]));
        lines.add(String.format(Locale.ROOT, "# %s activations: %d fresh keys in %.2f s by %d callers = %.0f activations/s",
                system, act[0], act[1] / 1e9, CALLERS, act[0] / (act[1] / 1e9)));
        return lines;
    }

    private static List<String> hotKeys(String system, Keyed keyed, long warmMs, long measureMs) throws InterruptedException {
        List<String> lines = new ArrayList<>();

        int keys = measureMs >= 2000 ? HOT_KEYS : HOT_KEYS_SMALL;
        String[] hot = new String[keys];
        for (int i = 0; i < keys; i++) hot[i] = "hot-" + i;
        long t0 = System.nanoTime();
        long started = forEachKey(hot, (k, i) -> expectOne(keyed.add(k, 1)));
        long activateNs = System.nanoTime() - t0;
        AtomicLong adds = new AtomicLong();
        Runnable call = () -> {
            keyed.add(hot[ThreadLocalRandom.current().nextInt(keys)], 1);
            adds.incrementAndGet();
        };
        callers(warmMs, call);
        long[] r = callers(measureMs, call);
        lines.add(result("keyed.hot64", system, r[1] / 1e3 / r[0]));
        lines.add(String.format(Locale.ROOT, "# %s hot keys: %d keys (activated in %.2f s); %d calls in %.2f s by %d callers = %.0f calls/s, %.0f ns per call",
                system, started, activateNs / 1e9, r[0], r[1] / 1e9, CALLERS, r[0] / (r[1] / 1e9), (double) r[1] / r[0]));
        long sum = forEachKey(hot, (k, i) -> keyed.add(k, 0));
        lines.add(String.format(Locale.ROOT, "# %s totals: %d = %d keys + %d acknowledged adds", system, sum, keys, adds.get()));
        if (sum != keys + adds.get()) throw new IllegalStateException(system + ": totals " + sum + " != " + keys + " + acknowledged adds " + adds.get());
        return lines;
    }

    /** {@code op(key, index)} once per key from {@value #CALLERS} virtual threads: the sum of what it returned. */
    private static long forEachKey(String[] keys, ToLongBiFunction<String, Integer> op) {
        AtomicLong next = new AtomicLong();
        return Load.onVirtualThreads(CALLERS, (keys.length + CALLERS - 1) / CALLERS, () -> {
            int i = (int) next.getAndIncrement();
            return i < keys.length ? op.applyAsLong(keys[i], i) : 0;
        });
    }

    /** {@value #CALLERS} virtual threads doing {@code op} for {@code ms}: {ops, wall ns until the last returned}. */
    private static long[] callers(long ms, Runnable op) throws InterruptedException {
        return callers(ms, op, () -> false);
    }

    /** As {@link #callers(long, Runnable)}, ending early once {@code enough} says so. */
    private static long[] callers(long ms, Runnable op, java.util.function.BooleanSupplier enough) throws InterruptedException {
        long[] r = Load.forDuration(CALLERS, ms, TIMEOUT.plusSeconds(10), op, enough);
        if (r[0] == 0) throw new IllegalStateException("no call completed in " + ms + " ms");
        return r;
    }

    private static long expectOne(long total) {
        if (total != 1) throw new IllegalStateException("a fresh key answered " + total + ", not 1: it was not a first call");
        return total;
    }

    private static String result(String key, String system, double micros) {
        return String.format(Locale.ROOT, "RESULT %s %s %.4f us", key, system, micros);
    }
}
