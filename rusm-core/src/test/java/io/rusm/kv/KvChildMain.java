package io.rusm.kv;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The child JVM of the tests that need another process ({@link ChildJvm} starts it):
 * <ul>
 *   <li>{@code hold DIR}: opens the embedded store in DIR, prints {@code OPEN}, and keeps it open
 *       until its standard input closes;</li>
 *   <li>{@code write DIR N THREADS}: opens the store, prints {@code OPEN}, then puts keys
 *       {@code k00000..} from THREADS virtual threads, printing {@code ACKED <key> ok} after each put
 *       returned, then {@code DONE}, and waits to be killed.</li>
 *   <li>{@code churn DIR N THREADS KEYS}: opens the store, prints {@code OPEN}, then makes N puts
 *       of {@code Entry(n)} (n = 1..N) from THREADS virtual threads, put number n to key
 *       {@code n % KEYS}, printing {@code ACKED <key> <n> ok} after each returned and
 *       {@code COMPACTIONS <count>} every 1,000 puts, so that the store compacts while it writes;
 *       then {@code DONE}, and waits to be killed.</li>
 * </ul>
 */
public final class KvChildMain {
    static final String COMPONENT = "crash-test";

    /** The value stored under key number {@code n}. */
    record Entry(int n, String text) {
        static Entry of(int n) {
            return new Entry(n, "value-" + n);
        }
    }

    static String key(int n) {
        return "k%05d".formatted(n);
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        KvStore store = KvStore.embedded(Path.of(args[1]));
        out.println("OPEN");
        switch (args[0]) {
            case "hold" -> {
                while (System.in.read() >= 0) {
                    // until the parent closes our stdin
                }
                store.close();
            }
            case "write" -> {
                int total = Integer.parseInt(args[2]);
                int threads = Integer.parseInt(args[3]);
                var kv = store.forComponent(COMPONENT);
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int t = 0; t < threads; t++) {
                        int first = t;
                        pool.submit(() -> {
                            for (int n = first; n < total; n += threads) {
                                kv.put(key(n), Entry.of(n));
                                out.println("ACKED " + key(n) + " ok"); // only after put returned: durable
                            }
                            return null;
                        });
                    }
                }
                out.println("DONE syncs=" + store.syncCount() + " writes=" + store.writeCount());
                while (System.in.read() >= 0) {
                    // wait for the kill
                }
            }
            case "churn" -> {
                int total = Integer.parseInt(args[2]);
                int threads = Integer.parseInt(args[3]);
                int keys = Integer.parseInt(args[4]);
                var kv = store.forComponent(COMPONENT);
                var sequence = new java.util.concurrent.atomic.AtomicInteger();
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int t = 0; t < threads; t++) {
                        pool.submit(() -> {
                            for (int n; (n = sequence.incrementAndGet()) <= total; ) {
                                kv.put(key(n % keys), Entry.of(n));
                                out.println("ACKED " + key(n % keys) + " " + n + " ok");
                                if (n % 1_000 == 0) out.println("COMPACTIONS " + store.compactions());
                            }
                            return null;
                        });
                    }
                }
                out.println("DONE syncs=" + store.syncCount() + " writes=" + store.writeCount());
                while (System.in.read() >= 0) {
                    // wait for the kill
                }
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }
}
