package io.rusm.bench;

import io.rusm.Kv;
import io.rusm.Node;
import io.rusm.SpawnOptions;
import io.rusm.kv.KvStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embedded Kv store's figures that JMH does not give (not JMH: one long run each):
 * <ul>
 *   <li>{@code churn PUTS KEYS WRITERS}: PUTS puts of a small record over KEYS keys from WRITERS
 *       virtual threads; prints the put latency (p50, p99, p99.9), the file size against the live
 *       data, and how long opening a crash image of the file takes (a copy of the open store's
 *       file, no clean close). Run it with {@code -Drusm.kv.compaction=false} for the same run
 *       without compaction.</li>
 *   <li>{@code neighbour ROUNDS MILLIS}: a durable counter (one {@code Kv.put} per call) called
 *       back to back by one caller, alone and next to 64 virtual threads calling 8 plain services on
 *       the same node, in alternating rounds, once with a virtual and once with a platform caller;
 *       prints both throughputs, their ratio and the p99s.</li>
 * </ul>
 * The store is in {@code -Drusm.bench.kvdir} (default: the temp dir), which must be on a real disk.
 */
public final class KvMain {
    /** The neighbour's 64 callers spread over this many plain services: pairs enough to keep every carrier's queue full. */
    static final int NEIGHBOUR_SERVICES = 8;

    private KvMain() {}

    public record Entry(long sequence, String note) {}

    public static void main(String[] args) throws Exception {
        Path parent = Path.of(System.getProperty("rusm.bench.kvdir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(parent);
        Path dir = Files.createTempDirectory(parent, "kv-main-");
        switch (args[0]) {
            case "churn" -> churn(dir, Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "neighbour" -> neighbour(dir, Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException("usage: churn PUTS KEYS WRITERS | neighbour ROUNDS MILLIS");
        }
    }

    private static void churn(Path dir, int puts, int keys, int writers) throws Exception {
        long[] latencies = new long[puts];
        long[] lastOfKey = new long[keys];
        AtomicLong sequence = new AtomicLong();
        long start = System.nanoTime();
        try (KvStore store = KvStore.embedded(dir)) {
            Kv kv = store.forComponent("churn");
            Load.onVirtualThreads(writers, 1, () -> {
                for (long n; (n = sequence.incrementAndGet()) <= puts; ) {
                    long t0 = System.nanoTime();
                    kv.put(key((int) (n % keys)), new Entry(n, "note " + n));
                    latencies[(int) n - 1] = System.nanoTime() - t0;
                    synchronized (lastOfKey) {
                        lastOfKey[(int) (n % keys)] = Math.max(lastOfKey[(int) (n % keys)], n);
                    }
                }
                return 0;
            });
            double seconds = (System.nanoTime() - start) / 1e9;
            Path file = dir.resolve("rusm-kv.mv.db");
            long size = Files.size(file);
            long live = 0;
            for (int k = 0; k < keys; k++) {
                live += key(k).length() + ("{\"sequence\":" + lastOfKey[k] + ",\"note\":\"note " + lastOfKey[k] + "\"}")
                        .getBytes(StandardCharsets.UTF_8).length;
            }
            Path image = Files.createDirectories(dir.resolve("crash-image"));
            // open, not closed: the store file and its log as they are
            Files.copy(file, image.resolve("rusm-kv.mv.db"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(dir.resolve("rusm-kv.wal"), image.resolve("rusm-kv.wal"), StandardCopyOption.REPLACE_EXISTING);
            long r0 = System.nanoTime();
            long reopenMillis;
            int found;
            try (KvStore reopened = KvStore.embedded(image)) {
                found = reopened.forComponent("churn").keys("").size();
                reopenMillis = (System.nanoTime() - r0) / 1_000_000;
            }
            Arrays.sort(latencies);
            System.out.printf("[kv-churn] compaction=%s puts=%,d keys=%,d writers=%d in %.1f s (%,.0f puts/s, %,d syncs)%n",
                    System.getProperty("rusm.kv.compaction", "true"), puts, keys, writers, seconds, puts / seconds, store.syncCount());
            System.out.printf("[kv-churn] put latency p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.1f ms%n",
                    latencies[puts / 2] / 1e6, latencies[(int) (puts * 0.99)] / 1e6, latencies[(int) (puts * 0.999)] / 1e6,
                    latencies[puts - 1] / 1e6);
            System.out.printf("[kv-churn] file %,d bytes (and its log, %,d bytes, fixed), live data %,d bytes, bound 3x live + 8 MB = %,d bytes: %s%n",
                    size, Files.size(dir.resolve("rusm-kv.wal")), live, 3 * live + (8 << 20), size <= 3 * live + (8 << 20) ? "within" : "OVER");
            System.out.printf("[kv-churn] reopen of a crash image: %d ms, %,d keys%n", reopenMillis, found);
        }
    }

    private static void neighbour(Path dir, int rounds, int millis) throws Exception {
        try (KvStore store = KvStore.embedded(dir); Node node = Node.create()) {
            Kv kv = store.forCallingService();
            long[] count = {0};
            node.spawn(SpawnOptions.named("durable"), message -> {
                kv.put("count", ++count[0]);
                return count[0];
            });
            for (int i = 0; i < NEIGHBOUR_SERVICES; i++) {
                long[] plain = {0};
                node.spawn(SpawnOptions.named("plain-" + i), message -> ++plain[0]);
            }
            AtomicBoolean busy = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch[] gate = {new CountDownLatch(1)};
            List<Thread> neighbours = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String target = "plain-" + (i % NEIGHBOUR_SERVICES);
                neighbours.add(Thread.ofVirtual().start(() -> {
                    while (!stop.get()) {
                        if (!busy.get()) {
                            try {
                                gate[0].await(1, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                return;
                            }
                            continue;
                        }
                        node.call(target, "bump");
                    }
                }));
            }
            // The durable counter's one caller: a virtual thread (a request handler in a Spring app
            // with virtual threads), then a platform thread, whose own wake-ups compete with the
            // busy carriers for the cores. Each runs its whole schedule itself: a virtual thread
            // started from a platform thread while the neighbour is busy would wait in the
            // scheduler's external queue, which is the JDK's, not what is measured here.
            for (boolean virtualCaller : new boolean[] {true, false}) {
                Runnable schedule = () -> {
                    round(node, Duration.ofSeconds(2)); // warm-up
                    List<long[]> alone = new ArrayList<>();
                    List<long[]> next = new ArrayList<>();
                    for (int r = 0; r < rounds; r++) {
                        alone.add(round(node, Duration.ofMillis(millis)));
                        busy.set(true);
                        gate[0].countDown();
                        round(node, Duration.ofMillis(200));
                        next.add(round(node, Duration.ofMillis(millis)));
                        gate[0] = new CountDownLatch(1);
                        busy.set(false);
                    }
                    double aloneRate = rate(alone, millis);
                    double nextRate = rate(next, millis);
                    System.out.printf("[kv-neighbour] %s caller: alone %,.0f puts/s (p99 %.2f ms); next to 64 callers of %d plain"
                                    + " services %,.0f puts/s (p99 %.2f ms): %.0f%% of alone%n", virtualCaller ? "virtual" : "platform",
                            aloneRate, p99(alone) / 1e6, NEIGHBOUR_SERVICES, nextRate, p99(next) / 1e6, 100 * nextRate / aloneRate);
                    String caller = virtualCaller ? "virtual-caller" : "platform-caller";
                    System.out.printf(java.util.Locale.ROOT, "RESULT kv-neighbour.alone %s %.0f puts/s%nRESULT kv-neighbour.busy %s %.0f puts/s%n"
                            + "RESULT kv-neighbour.p99 %s %.3f ms%n", caller, aloneRate, caller, nextRate, caller, p99(next) / 1e6);
                };
                Runnable reported = () -> {
                    try {
                        schedule.run();
                    } catch (io.rusm.CallTimeoutException e) {
                        // a finding, not a crash of the run: reported, and the next schedule (or step) goes on
                        System.out.printf("[kv-neighbour] %s caller: a call to the durable counter timed out next to the"
                                + " neighbour (%s)%nRESULT kv-neighbour.stalled %s 1 timeouts%n", virtualCaller ? "virtual" : "platform",
                                e.getMessage(), virtualCaller ? "virtual-caller" : "platform-caller");
                        gate[0] = new CountDownLatch(1);
                        busy.set(false);
                    }
                };
                if (virtualCaller) {
                    Thread driver = Thread.ofVirtual().name("durable-caller").start(reported);
                    driver.join();
                } else {
                    reported.run();
                }
            }
            stop.set(true);
            busy.set(true);
            gate[0].countDown();
            for (Thread t : neighbours) t.join();
        }
    }

    private static long[] round(Node node, Duration length) {
        List<Long> latencies = new ArrayList<>();
        long end = System.nanoTime() + length.toNanos();
        for (long now = System.nanoTime(); now < end; ) {
            node.call("durable", "bump");
            long t = System.nanoTime();
            latencies.add(t - now);
            now = t;
        }
        return latencies.stream().mapToLong(Long::longValue).toArray();
    }

    private static double rate(List<long[]> rounds, int millis) {
        return rounds.stream().mapToLong(r -> r.length).sum() * 1000.0 / (rounds.size() * (double) millis);
    }

    private static long p99(List<long[]> rounds) {
        long[] all = rounds.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return all[(int) (all.length * 0.99)];
    }

    private static String key(int n) {
        return "k%05d".formatted(n);
    }

}
