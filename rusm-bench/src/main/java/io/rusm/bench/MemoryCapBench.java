package io.rusm.bench;

import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.ServiceDefinition;
import io.rusm.SpawnOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The memory cap's overhead: {@value #CALLERS} virtual threads call {@code get} on a cache service
 * of {@value CacheService#ENTRIES} entries, with no cap and with a 256 MB cap (whose checks walk the
 * whole map on the service's fiber, on a budget of its busy time). Enough callers keep the service
 * saturated, so the service's own cost per message, cap checks included, sets the score.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "--sun-misc-unsafe-memory-access=allow"})
public class MemoryCapBench {
    static final int CALLERS = 16;
    static final int CALLS_PER_CALLER = 1024;

    @Param({"none", "256MB"})
    public String cap;

    private Node node;
    private Pid pid;
    private CacheServiceClient client;

    @Setup
    public void setup() {
        node = Node.create();
        long bytes = cap.equals("none") ? 0 : 256L * 1024 * 1024;
        ServiceDefinition definition = ServiceDefinition.of(CacheService.class);
        pid = node.spawnService(definition, CacheService::new,
                SpawnOptions.named(definition.name()).withMaxMemoryBytes(bytes).withMailboxCapacity(Counter.UNBOUNDED));
        client = node.client(CacheServiceClient.class);
        if (client.size() != CacheService.ENTRIES) throw new IllegalStateException("cache not filled");
    }

    @TearDown
    public void tearDown() {
        // -1 without a cap; with one, the retained size at the last check (proof that checks ran)
        System.out.println("\n[memory-cap] cap=" + cap + " last measured state: " + node.memoryBytes(pid) + " bytes, still the same incarnation: "
                + node.isAlive(pid));
        node.close();
    }

    @Benchmark
    @OperationsPerInvocation(CALLERS * CALLS_PER_CALLER)
    public long get16Callers() {
        CacheServiceClient c = client;
        return Load.onVirtualThreads(CALLERS, CALLS_PER_CALLER,
                () -> c.get(ThreadLocalRandom.current().nextInt(CacheService.ENTRIES)).length());
    }
}
