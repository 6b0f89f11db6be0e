package io.rusm.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Retained heap per idle service: spawns {@code count} counter services (each spawned, registered
 * under its own name and called once, then left idle), and divides the growth of the heap in use
 * after {@link System#gc()} by {@code count}. Not a JMH benchmark: run it in a JVM of its own with a
 * heap big enough for a million services (bench/run uses {@code -Xms8g -Xmx8g}).
 *
 * <pre>java -Xmx8g -cp rusm-bench.jar io.rusm.bench.MemoryMain rusm-service 1000000</pre>
 *
 * Systems: {@code rusm-service} ({@code @ResidentService}), {@code rusm} (a raw behavior),
 * {@code pekko} (a typed actor), {@code vt-queue} (a virtual thread on a LinkedBlockingQueue),
 * {@code direct} (a synchronized object in a map). Prints {@code RESULT memory <system> <bytes> B}; for
 * rusm measured once its services hibernated (idle past the node's hibernate-after, their fibers
 * ended), with {@code RESULT memory-awake} the figure before that (every fiber parked).
 */
public final class MemoryMain {
    private static final int SPAWNERS = 4;
    private static final int WARM_UP = 10_000;

    private MemoryMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: MemoryMain <rusm-service|rusm|pekko|vt-queue|direct> <count>");
            System.exit(2);
        }
        String system = args[0];
        int count = Integer.parseInt(args[1]);
        Spawner spawner = switch (system) {
            case "rusm" -> new Spawner.RusmRaw(false);
            case "rusm-service" -> new Spawner.RusmService(false);
            case "pekko" -> new Spawner.PekkoSpawner(false);
            default -> Spawner.create(system); // direct, vt-queue: their registry is the service's own cost
        };
        // Warm-up services stay alive, so the measurement below starts from a warmed, populated runtime.
        spawnAll(spawner, "warm-", WARM_UP);
        // rusm's warm-up services hibernate as the measured ones will: the baseline must not shrink under them.
        if (spawner instanceof Spawner.OnRusm r) awaitHibernation(r.node(), "warm-", WARM_UP);
        long before = usedAfterGc();
        long t0 = System.nanoTime();
        spawnAll(spawner, "svc-", count);
        long spawnNanos = System.nanoTime() - t0;
        long after = usedAfterGc();
        double perService = (double) (after - before) / count;
        System.out.printf("%s: %,d services alive; heap in use after GC %,d -> %,d bytes; spawned in %.1f s%n",
                system, count, before, after, spawnNanos / 1e9);
        if (spawner instanceof Spawner.OnRusm r) {
            System.out.println("rusm processes alive: " + r.node().processCount());
            // Idle a little longer: past the node's hibernate-after, the services let their fibers go.
            System.out.printf("RESULT memory-awake %s %.0f B%n", system, perService);
            long t1 = System.nanoTime();
            int hibernating = awaitHibernation(r.node(), "svc-", count);
            after = usedAfterGc();
            perService = (double) (after - before) / count;
            System.out.printf("%s: %,d of %,d hibernating after %.1f s idle; heap in use after GC %,d bytes%n",
                    system, hibernating, count, (System.nanoTime() - t1) / 1e9, after);
        }
        int top = Integer.getInteger("rusm.bench.histogram", 0);
        if (top > 0) printHistogram(top);
        System.out.printf("RESULT memory %s %.0f B%n", system, perService);
        System.out.flush();
        Runtime.getRuntime().halt(0); // a million services need no orderly shutdown
    }

    private static void spawnAll(Spawner spawner, String prefix, int count) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread[] workers = new Thread[SPAWNERS];
        for (int w = 0; w < SPAWNERS; w++) {
            workers[w] = Thread.ofVirtual().start(() -> {
                try {
                    for (long i; (i = next.getAndIncrement()) < count; ) {
                        if (spawner.spawnAndCall(prefix + i) != 1) throw new IllegalStateException("wrong first reply");
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    next.set(count);
                }
            });
        }
        for (Thread w : workers) w.join();
        if (failure.get() != null) throw new IllegalStateException("spawning failed", failure.get());
    }

    /** Waits (at most a minute) until every service named {@code prefix + i} hibernates; returns how many did. */
    private static int awaitHibernation(io.rusm.Node node, String prefix, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        int hibernating = 0;
        while (System.nanoTime() < deadline) {
            Thread.sleep(500);
            hibernating = 0;
            for (int i = 0; i < count; i++) {
                java.util.Optional<io.rusm.Pid> pid = node.whereis(prefix + i);
                if (pid.isPresent() && node.isHibernating(pid.get())) hibernating++;
            }
            if (hibernating == count) break;
        }
        return hibernating;
    }

    /** With {@code -Drusm.bench.histogram=N}: the N classes with the most live bytes (what a service is made of). */
    private static void printHistogram(int top) {
        try {
            var server = ManagementFactory.getPlatformMBeanServer();
            var name = new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand");
            String histogram = (String) server.invoke(name, "gcClassHistogram", new Object[] {new String[0]},
                    new String[] {String[].class.getName()});
            histogram.lines().limit(top + 3L).forEach(System.out::println);
        } catch (Exception e) {
            System.out.println("no class histogram: " + e);
        }
    }

    /** Heap in use once full collections settled it (a full GC of a million virtual-thread stacks takes seconds). */
    static long usedAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(200);
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
