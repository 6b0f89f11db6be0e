package io.rusm.bench;

import io.rusm.Node;
import io.rusm.ProcessCrashedException;
import io.rusm.ServiceDefinition;
import io.rusm.SupervisorSpec;
import io.rusm.WorkerSpec;
import org.apache.pekko.actor.typed.ActorRef;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Crash → restarted and serving again: one operation crashes the supervised counter with a message
 * its handler fails on, then calls it until a call succeeds on the fresh incarnation. Sampled per
 * operation (p50/p99). Crash logging is off in every system.
 *
 * <p>Like every caller in these benchmarks, the caller is a virtual thread: each operation runs on a
 * fresh one that the JMH thread starts and joins. That hand-off is in every sample; system
 * {@code harness} measures it alone (an operation that does nothing), the floor under the others.
 * (With the JMH platform thread as the caller, every reply would instead wake a platform thread,
 * which on a loaded 2-core machine costs more than the restart itself.)
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "--sun-misc-unsafe-memory-access=allow"})
public class RestartBench {

    @Param({"harness", "vt-queue", "pekko", "rusm"})
    public String system;

    private Restartable target;

    @Setup
    public void setup() {
        target = switch (system) {
            case "harness" -> new Harness();
            case "vt-queue" -> new VtQueueRestartable();
            case "pekko" -> new PekkoRestartable();
            case "rusm" -> new RusmRestartable();
            default -> throw new IllegalArgumentException(system);
        };
    }

    @TearDown
    public void tearDown() {
        target.close();
    }

    @Benchmark
    public long crashToServing() {
        Restartable t = target;
        return Load.onVirtualThread(t::crashAndServe);
    }

    interface Restartable extends AutoCloseable {
        /** Crashes the service, then returns the first successful reply of its next incarnation. */
        long crashAndServe();

        @Override
        void close();
    }

    /** Nothing to restart: what starting and joining the caller's virtual thread costs. */
    static final class Harness implements Restartable {
        @Override
        public long crashAndServe() {
            return 0;
        }

        @Override
        public void close() {}
    }

    /** rusm: a {@code @ResidentService} under a one-for-one supervisor, called through its client. */
    static final class RusmRestartable implements Restartable {
        private final Node node = Node.create();
        private final CounterServiceClient client;

        RusmRestartable() {
            ServiceDefinition definition = ServiceDefinition.of(CounterService.class);
            node.declareService(definition);
            node.startSupervisor(SupervisorSpec.of("bench-sup")
                    .withIntensity(Integer.MAX_VALUE, Duration.ofSeconds(1))
                    .withChild(WorkerSpec.of(definition.name(), () -> definition.newBehavior(CounterService::new))));
            client = node.client(CounterServiceClient.class);
        }

        @Override
        public long crashAndServe() {
            try {
                client.crash();
                throw new IllegalStateException("the service did not crash");
            } catch (ProcessCrashedException expected) {
                // the caller learns it at once; the supervisor restarts the service meanwhile
            }
            while (node.whereis("bench-counter").isEmpty()) Thread.yield();
            return client.total(); // queued until the fresh incarnation's init is done
        }

        @Override
        public void close() {
            node.close();
        }
    }

    /** Pekko: {@code Behaviors.supervise(...).onFailure(restart())}; the restart happens in place, same ref. */
    static final class PekkoRestartable implements Restartable {
        private final PekkoSystem pekko = new PekkoSystem();
        private final ActorRef<PekkoSystem.Msg> counter = pekko.spawn(PekkoSystem.supervisedCounter(), "victim");

        @Override
        public long crashAndServe() {
            counter.tell(new PekkoSystem.Crash());
            return pekko.get(counter); // handled by the restarted behavior
        }

        @Override
        public void close() {
            pekko.close();
        }
    }

    /** Hand-rolled: the crashing loop starts a fresh loop (new state, queue and virtual thread) and swaps it in. */
    static final class VtQueueRestartable implements Restartable {
        private final VtQueue.Supervised supervised = new VtQueue.Supervised();

        @Override
        public long crashAndServe() {
            supervised.current().crash();
            return supervised.current().get();
        }

        @Override
        public void close() {
            supervised.close();
        }
    }
}
