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
 * Cast throughput: 1 or 4 virtual threads send {@value #MESSAGES} fire-and-forget messages in
 * total to one service; the invocation ends when a final call (FIFO behind every cast) returns, so
 * the score is the time per message <em>handled</em>, not just enqueued.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "--sun-misc-unsafe-memory-access=allow"})
public class CastBench {
    static final int MESSAGES = 1 << 16;

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
    @OperationsPerInvocation(MESSAGES)
    public long oneSender() {
        return send(1);
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public long fourSenders() {
        return send(4);
    }

    private long send(int senders) {
        Counter c = counter;
        Load.onVirtualThreads(senders, MESSAGES / senders, () -> {
            c.cast(1);
            return 0;
        });
        return c.sync();
    }
}
