package io.rusm.bench;

import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.SpawnOptions;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Calls per second with many services busy at once: {@code services} counters (raw behaviors),
 * each called back to back by a virtual thread of its own, for {@code seconds} after a warm-up as
 * long; the same workload as {@code bench/erlang/scale.escript}. Cores are set from outside:
 * {@code -XX:ActiveProcessorCount=1 -Djdk.virtualThreadScheduler.parallelism=1} (Erlang: {@code +S 1}).
 *
 * <pre>java -XX:ActiveProcessorCount=1 -cp rusm-bench.jar io.rusm.bench.ScalingMain 1000 3</pre>
 *
 * Prints {@code RESULT scale.<services> rusm-p<parallelism> <calls per second> calls/s}.
 */
public final class ScalingMain {
    private static volatile int phase; // 0 warm-up, 1 measuring, 2 stop

    private ScalingMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: ScalingMain <services> <seconds>");
            System.exit(2);
        }
        int services = Integer.parseInt(args[0]);
        int seconds = Integer.parseInt(args[1]);
        int parallelism = Integer.getInteger("jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors());
        System.out.printf("RESULT scale.%d rusm-p%d %.0f calls/s%n", services, parallelism, run(services, seconds * 1000L));
    }

    /** Calls per second of {@code services} callers, each on its own service, over {@code millis} after as long a warm-up. */
    static double run(int services, long millis) throws InterruptedException {
        phase = 0;
        try (Node node = Node.builder().defaultCallTimeout(Duration.ofSeconds(60)).build()) {
            Pid[] pids = new Pid[services];
            for (int i = 0; i < services; i++) {
                pids[i] = node.spawn(SpawnOptions.anonymous().withMailboxCapacity(Counter.UNBOUNDED), new Counter.CounterBehavior());
            }
            AtomicLongArray counted = new AtomicLongArray(services); // written once per caller, at its end
            Thread[] callers = new Thread[services];
            for (int i = 0; i < services; i++) {
                int n = i;
                callers[i] = Thread.ofVirtual().start(() -> counted.set(n, callBackToBack(node, pids[n])));
            }
            LockSupport.parkNanos(millis * 1_000_000L);
            phase = 1;
            long t0 = System.nanoTime();
            LockSupport.parkNanos(millis * 1_000_000L);
            phase = 2;
            long t1 = System.nanoTime();
            for (Thread t : callers) t.join();
            long calls = 0;
            for (int i = 0; i < services; i++) calls += counted.get(i);
            return calls / ((t1 - t0) / 1e9);
        }
    }

    /** Back to back while warming up, then counting its own calls until told to stop. */
    private static long callBackToBack(Node node, Pid pid) {
        Long one = 1L;
        while (phase == 0) node.call(pid, one);
        long n = 0;
        while (phase == 1) {
            node.call(pid, one);
            n++;
        }
        return n;
    }
}
