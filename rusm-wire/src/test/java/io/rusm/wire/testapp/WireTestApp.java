package io.rusm.wire.testapp;

import io.rusm.Node;
import io.rusm.ServiceDefinition;
import io.rusm.SupervisorSpec;
import io.rusm.WorkerSpec;
import io.rusm.wire.ExternalServices;
import io.rusm.wire.WireServer;

import java.time.Duration;
import java.util.List;

/**
 * The Java node the TypeScript tests start as a separate JVM: a Java counter, a one-slot mailbox
 * service, a TS-hosted counter ({@code tscounter}, external, 64 MB heap per worker) and a bridge
 * that calls it through a Java {@code @ServiceClient}. Prints {@code RUSM_WIRE_PORT=<port>} when
 * serving; stops on SIGTERM.
 *
 * <p>Arguments: {@code [port] [call-timeout-ms]}.
 */
public final class WireTestApp {
    private WireTestApp() {}

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        Duration timeout = Duration.ofMillis(args.length > 1 ? Long.parseLong(args[1]) : 5000);
        Node node = Node.builder().name("java").defaultCallTimeout(timeout).build();
        ExternalServices external = new ExternalServices(node);
        Start.tree(node, external);
        WireServer wire = WireServer.builder(node).port(port).externalServices(external).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            wire.shutdown(Duration.ofSeconds(1));
            node.shutdown(Duration.ofSeconds(2));
        }));
        System.out.println("RUSM_WIRE_PORT=" + wire.port());
        System.out.flush();
        // gRPC's and rusm's threads are all daemons: the main thread holds the JVM until SIGTERM/SIGKILL.
        new java.util.concurrent.CountDownLatch(1).await();
    }

    /** The supervision tree, shared with the in-JVM tests. */
    public static final class Start {
        private Start() {}

        public static void tree(Node node, ExternalServices external) {
            ServiceDefinition counter = ServiceDefinition.of(Counter.class);
            ServiceDefinition tiny = ServiceDefinition.of("tiny", Counter.class);
            ServiceDefinition bridge = ServiceDefinition.of(Bridge.class);
            node.declareService(counter);
            node.declareService(tiny);
            node.declareService(bridge);
            TsCounterClient ts = node.client(TsCounterClient.class);
            node.startSupervisor(SupervisorSpec.of("rusm").withIntensity(100_000, Duration.ofSeconds(1)).withChildren(List.of(
                    WorkerSpec.of("counter", () -> counter.newBehavior(Counter::new)),
                    WorkerSpec.of("tiny", () -> tiny.newBehavior(Counter::new)).withMailboxCapacity(1),
                    WorkerSpec.of("tscounter", external.declare("tscounter", 64, TsCounterClient.class)),
                    WorkerSpec.of("plain", external.declare("plain", 0)),
                    WorkerSpec.of("bridge", () -> bridge.newBehavior(() -> new Bridge(ts))))));
        }
    }
}
