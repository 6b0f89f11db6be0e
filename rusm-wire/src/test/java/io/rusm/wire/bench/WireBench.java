package io.rusm.wire.bench;

import io.rusm.Node;
import io.rusm.wire.ExternalServices;
import io.rusm.wire.WireClient;
import io.rusm.wire.WireServer;
import io.rusm.wire.testapp.TsCounterClient;
import io.rusm.wire.testapp.WireTestApp;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Round trips over the one wire, side by side in one run (BENCHMARKS.md): Node.js → Java service,
 * Java → TS-hosted service (a Java @ServiceClient of a rusm-host counter.ts), and Java → Java over
 * the same gRPC wire; 1 and 64 concurrent callers, p50/p99 per call.
 *
 * <pre>java -cp "$(cat rusm-wire/target/test-app.classpath)" io.rusm.wire.bench.WireBench [calls-per-caller]</pre>
 * (after {@code ./dev mvn -pl rusm-wire -am verify}, which builds clients/typescript too).
 */
public final class WireBench {
    private WireBench() {}

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Path ts = Path.of("clients/typescript").toAbsolutePath();
        Node node = Node.builder().name("java").defaultCallTimeout(Duration.ofSeconds(10)).build();
        ExternalServices external = new ExternalServices(node);
        WireTestApp.Start.tree(node, external);
        WireServer wire = WireServer.builder(node).port(0).externalServices(external).start();
        String target = "127.0.0.1:" + wire.port();
        Process host = new ProcessBuilder("node", ts.resolve("dist/src/host/cli.js").toString(),
                ts.resolve("test/fixtures/counter.ts").toString(), "--name", "tscounter", "--node", target)
                .redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(host.getInputStream()))) {
            String line = r.readLine();
            if (line == null || !line.contains("attached")) throw new IllegalStateException("rusm-host did not attach: " + line);
            System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores (shared and loaded)");
            System.out.printf("%-34s %8s %10s %10s %12s%n", "round trip", "callers", "p50 µs", "p99 µs", "calls/s");

            Process nodeClient = new ProcessBuilder("node", ts.resolve("dist/test/bench-client.js").toString(), target, Integer.toString(calls))
                    .redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(nodeClient.getInputStream()))) {
                String l;
                while ((l = out.readLine()) != null) System.out.println(l);
            }
            nodeClient.waitFor(120, TimeUnit.SECONDS);

            try (WireClient client = WireClient.connect(target)) {
                report("Java -> Java service (wire)", calls, () -> client.<Long>call("counter", "bump", long.class, 1));
            }
            TsCounterClient counter = node.client(TsCounterClient.class);
            report("Java -> TS-hosted service", calls, () -> counter.bump(1));
        } finally {
            host.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            wire.close();
            node.close();
        }
    }

    private static void report(String label, int calls, LongSupplier call) throws InterruptedException {
        for (int i = 0; i < Math.min(500, calls); i++) call.getAsLong(); // warm-up
        for (int callers : new int[] {1, 64}) {
            int per = callers == 1 ? calls : Math.max(20, calls / 16);
            long[][] samples = new long[callers][per];
            List<Thread> threads = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int c = 0; c < callers; c++) {
                long[] mine = samples[c];
                threads.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < per; i++) {
                        long s = System.nanoTime();
                        call.getAsLong();
                        mine[i] = System.nanoTime() - s;
                    }
                }));
            }
            for (Thread t : threads) t.join();
            double seconds = (System.nanoTime() - t0) / 1e9;
            long[] all = Arrays.stream(samples).flatMapToLong(Arrays::stream).sorted().toArray();
            System.out.printf("%-34s %8d %10.0f %10.0f %12.0f%n", label, callers, all[all.length / 2] / 1e3,
                    all[(int) (all.length * 0.99)] / 1e3, all.length / seconds);
        }
    }
}
