package io.rusm.bench;

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

import java.util.concurrent.TimeUnit;

/**
 * Call round trip: a caller on a virtual thread sends a request to one service and waits for the
 * reply. {@link #oneCaller}: one caller, back to back (the score is the round-trip latency);
 * {@link #callers64}: 64 virtual threads calling the same service at once (the score is the service's
 * cost per call, i.e. 1 / aggregate throughput).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "--sun-misc-unsafe-memory-access=allow"})
public class CallBench {
    static final int ONE_CALLER_CALLS = 10_000;
    static final int CALLERS = 64;
    static final int CALLS_PER_CALLER = 256;

    @Param({"direct-synchronized", "direct-lock", "vt-queue", "pekko", "rusm", "rusm-client"})
    public String system;

    private Counter counter;

    @Setup
    public void setup() {
        counter = Counter.start(system);
    }

    @TearDown
    public void tearDown() {
        counter.close();
    }

    @Benchmark
    @OperationsPerInvocation(ONE_CALLER_CALLS)
    public long oneCaller() {
        Counter c = counter;
        return Load.onVirtualThreads(1, ONE_CALLER_CALLS, () -> c.call(1));
    }

    @Benchmark
    @OperationsPerInvocation(CALLERS * CALLS_PER_CALLER)
    public long callers64() {
        Counter c = counter;
        return Load.onVirtualThreads(CALLERS, CALLS_PER_CALLER, () -> c.call(1));
    }
}
