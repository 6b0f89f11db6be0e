package io.rusm.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * Spawn + register + first call, per service: a virtual thread spawns {@value #BATCH} services
 * under fresh names and calls each once. Stopping them is outside the measurement (per-invocation
 * tear-down; an invocation lasts milliseconds, so its timestamps do not matter).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "--sun-misc-unsafe-memory-access=allow"})
public class SpawnBench {
    static final int BATCH = 256;

    @Param({"direct", "vt-queue", "pekko", "rusm", "rusm-service"})
    public String system;

    private Spawner spawner;
    private long names;

    @Setup
    public void setup() {
        spawner = Spawner.create(system);
    }

    @TearDown(Level.Iteration)
    public void renew() {
        if (spawner instanceof Spawner.RusmService s) s.renewNode();
    }

    @TearDown(Level.Invocation)
    public void stopBatch() {
        spawner.stopAll();
    }

    @TearDown
    public void tearDown() {
        spawner.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long spawnRegisterFirstCall() {
        Spawner s = spawner;
        long first = names;
        names += BATCH;
        return Load.onVirtualThread(() -> {
            long sum = 0;
            for (long i = first; i < first + BATCH; i++) sum += s.spawnAndCall("svc-" + i);
            return sum;
        });
    }
}
