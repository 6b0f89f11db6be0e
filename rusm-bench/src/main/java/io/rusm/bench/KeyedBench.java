package io.rusm.bench;

import io.rusm.Key;
import io.rusm.KeyedSpec;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.ProcessContext;
import io.rusm.ResidentService;
import io.rusm.RestartType;
import io.rusm.ServiceClient;
import io.rusm.ServiceDefinition;
import io.rusm.SupervisorSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keyed services on one node (issue 15's figures). {@link #activation}: 64 callers each make the
 * first call to fresh keys, so every call starts a key's process (the score is the cost per
 * activation, i.e. 1 / activations per second); the keys are killed outside the measurement.
 * {@link #hotKeys64}: 64 callers call random keys among {@value #HOT_KEYS} already running (the
 * score is the cost per call, 1 / calls per second). {@link #main} measures the heap an idle active
 * key costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "--sun-misc-unsafe-memory-access=allow"})
public class KeyedBench {
    static final int HOT_KEYS = 10_000;
    static final int CALLERS = 64;
    static final int CALLS_PER_CALLER = 256;
    static final int ACTIVATIONS_PER_CALLER = 16;

    /** A key's state: its name and a running total. */
    @ResidentService("tab")
    public static final class Tab {
        private final String key = ProcessContext.key();
        private long total;

        public long add(long amount) {
            return total += amount;
        }

        public String key() {
            return key;
        }
    }

    @ServiceClient("tab")
    public interface TabClient {
        long add(@Key String key, long amount);
    }

    private Node node;
    private TabClient tabs;
    private String[] hot;
    private final AtomicLong fresh = new AtomicLong();
    private long firstFresh;

    @Setup
    public void setup() {
        node = Node.create();
        node.startSupervisor(SupervisorSpec.of("bench").withChildren(List.of(node.keyedService(
                KeyedSpec.of(ServiceDefinition.of(Tab.class), Tab::new).withRestart(RestartType.TEMPORARY)))));
        tabs = node.client(TabClient.class);
        hot = new String[HOT_KEYS];
        for (int i = 0; i < HOT_KEYS; i++) {
            hot[i] = "hot-" + i;
            tabs.add(hot[i], 1);
        }
    }

    @TearDown
    public void tearDown() {
        node.close();
    }

    @Setup(Level.Invocation)
    public void markFresh() {
        firstFresh = fresh.get();
    }

    /** The fresh keys of the invocation are killed after it: outside the measurement. */
    @TearDown(Level.Invocation)
    public void killFresh() {
        for (long i = firstFresh, end = fresh.get(); i < end; i++) {
            node.whereis("tab/new-" + i).ifPresent(node::kill);
        }
    }

    @Benchmark
    @OperationsPerInvocation(CALLERS * ACTIVATIONS_PER_CALLER)
    public long activation() {
        TabClient t = tabs;
        AtomicLong next = fresh;
        return Load.onVirtualThreads(CALLERS, ACTIVATIONS_PER_CALLER, () -> t.add("new-" + next.getAndIncrement(), 1));
    }

    @Benchmark
    @OperationsPerInvocation(CALLERS * CALLS_PER_CALLER)
    public long hotKeys64() {
        TabClient t = tabs;
        String[] keys = hot;
        return Load.onVirtualThreads(CALLERS, CALLS_PER_CALLER, () -> t.add(keys[ThreadLocalRandom.current().nextInt(keys.length)], 1));
    }

    /**
     * Heap per idle active key: {@code java -cp rusm-bench.jar io.rusm.bench.KeyedBench [keys]} activates
     * that many keys (default 100,000), lets them go idle (but not past their 10 min idle timeout)
     * and prints the heap after GC per key.
     */
    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        try (Node node = Node.create()) {
            node.startSupervisor(SupervisorSpec.of("bench").withChildren(List.of(node.keyedService(
                    KeyedSpec.of(ServiceDefinition.of(Tab.class), Tab::new).withIdleTimeout(Duration.ofMinutes(10))))));
            TabClient tabs = node.client(TabClient.class);
            tabs.add("warm", 1);
            long before = MemoryMain.usedAfterGc();
            Load.onVirtualThreads(CALLERS, keys / CALLERS, new java.util.function.LongSupplier() {
                final AtomicLong next = new AtomicLong();

                @Override
                public long getAsLong() {
                    return tabs.add("k-" + next.getAndIncrement(), 1);
                }
            });
            long after = MemoryMain.usedAfterGc();
            int live = node.keyedStats("tab").orElseThrow().liveKeys();
            Pid one = node.whereis("tab/k-0").orElseThrow();
            System.out.printf("keyed: %,d idle active keys, %,d bytes of heap each after GC (%s still running)%n",
                    live - 1, (after - before) / Math.max(1, live - 1), one);
        }
    }
}
