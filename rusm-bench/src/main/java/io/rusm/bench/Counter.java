package io.rusm.bench;

import io.rusm.Behavior;
import io.rusm.Node;
import io.rusm.ServiceDefinition;
import io.rusm.SpawnOptions;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One counter, as each system under test offers it: the workload of the call and cast benchmarks.
 * Every implementation does the same work per message ({@code count += by}) and differs only in how
 * a message gets there and how the reply gets back.
 */
public interface Counter extends AutoCloseable {

    /** A request/reply round trip: adds {@code by}, returns the new total. */
    long call(long by);

    /** Fire-and-forget: adds {@code by} some time later. */
    void cast(long by);

    /** The total once every cast sent before this call was handled (a FIFO barrier). */
    long sync();

    @Override
    void close();

    /** Systems, by the name the benchmarks' {@code system} parameter uses. */
    static Counter start(String system) {
        return switch (system) {
            case "direct-synchronized" -> new SynchronizedCounter();
            case "direct-lock" -> new LockCounter();
            case "vt-queue" -> new VtQueue.CounterLoop(false);
            // not in the default run: the hand-rolled loop with rusm's timed wait for the reply
            case "vt-queue-timed" -> new VtQueue.CounterLoop(true);
            case "pekko" -> new PekkoSystem.PekkoCounter();
            case "rusm" -> new RusmRawCounter();
            case "rusm-client" -> new RusmClientCounter();
            default -> throw new IllegalArgumentException("unknown system " + system);
        };
    }

    /** The mailbox bound the rusm counters get: the others are unbounded, so the cast run measures throughput, not back-pressure. */
    int UNBOUNDED = Integer.MAX_VALUE;

    // ---- the direct-call limit ----------------------------------------------------------------

    /** A plain object behind {@code synchronized}: the cheapest thread-safe counter. */
    final class SynchronizedCounter implements Counter {
        private long count;

        @Override
        public synchronized long call(long by) {
            count += by;
            return count;
        }

        @Override
        public synchronized void cast(long by) {
            count += by;
        }

        @Override
        public synchronized long sync() {
            return count;
        }

        @Override
        public void close() {}
    }

    /** A plain object behind a {@link ReentrantLock}. */
    final class LockCounter implements Counter {
        private final ReentrantLock lock = new ReentrantLock();
        private long count;

        @Override
        public long call(long by) {
            lock.lock();
            try {
                count += by;
                return count;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void cast(long by) {
            call(by);
        }

        @Override
        public long sync() {
            return call(0);
        }

        @Override
        public void close() {}
    }

    // ---- rusm ---------------------------------------------------------------------------------

    /** rusm's low-level API: a {@link Behavior} and {@code node.call(name, message)}. */
    final class RusmRawCounter implements Counter {
        static final String NAME = "raw-counter";
        private final Node node = Node.create();

        RusmRawCounter() {
            node.spawn(SpawnOptions.named(NAME).withMailboxCapacity(UNBOUNDED), new CounterBehavior());
        }

        @Override
        public long call(long by) {
            Long total = node.call(NAME, by);
            return total;
        }

        @Override
        public void cast(long by) {
            node.send(NAME, by);
        }

        @Override
        public long sync() {
            Long total = node.call(NAME, CounterBehavior.GET);
            return total;
        }

        @Override
        public void close() {
            node.close();
        }
    }

    /** The counter as a raw behavior: a {@code Long} adds, {@code GET} reads, {@code CRASH} crashes. */
    final class CounterBehavior implements Behavior {
        static final Object GET = new Object();
        static final Object CRASH = new Object();
        private long count;

        @Override
        public Object handle(Object message) {
            if (message instanceof Long by) {
                count += by;
                return count;
            }
            if (message == GET) return count;
            if (message == CRASH) throw new IllegalStateException("crash requested by the benchmark");
            throw new IllegalArgumentException("unexpected " + message);
        }
    }

    /** rusm as a Spring application uses it: a {@code @ResidentService} behind its typed client proxy. */
    final class RusmClientCounter implements Counter {
        private final Node node = Node.create();
        private final CounterServiceClient client;

        RusmClientCounter() {
            ServiceDefinition definition = ServiceDefinition.of(CounterService.class);
            node.spawnService(definition, CounterService::new, SpawnOptions.named(definition.name()).withMailboxCapacity(UNBOUNDED));
            client = node.client(CounterServiceClient.class);
        }

        @Override
        public long call(long by) {
            return client.bump(by);
        }

        @Override
        public void cast(long by) {
            client.add(by);
        }

        @Override
        public long sync() {
            return client.total();
        }

        @Override
        public void close() {
            node.close();
        }
    }
}
