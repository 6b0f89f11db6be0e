package io.rusm.wire;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.rusm.CallTimeoutException;
import io.rusm.NoProcessException;
import io.rusm.Node;
import io.rusm.ProcessCrashedException;
import io.rusm.SupervisorSpec;
import io.rusm.WorkerSpec;
import io.rusm.wire.testapp.TsCounterClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Java callers use an external service through its {@code @ServiceClient} while its host crashes
 * (a thrown error) or dies (stream broken) over and over: every call ends within its timeout with
 * a value or a documented exception — no hangs — and the service keeps coming back.
 */
class ExternalServiceHostCrashLoopTest {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);
    private Node node;
    private WireServer wire;
    private ManagedChannel channel;

    @AfterEach
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
        if (wire != null) wire.close();
        if (node != null) node.close();
    }

    @Test
    void callersNeverHangWhileTheHostCrashesInALoop() throws Exception {
        node = Node.builder().name("java").defaultCallTimeout(CALL_TIMEOUT).build();
        ExternalServices external = new ExternalServices(node);
        node.startSupervisor(SupervisorSpec.of("rusm").withIntensity(100_000, Duration.ofSeconds(1))
                .withChildren(List.of(WorkerSpec.of("tscounter", external.declare("tscounter", 0, TsCounterClient.class)))));
        wire = WireServer.builder(node).port(0).externalServices(external).start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", wire.port()).usePlaintext().build();
        TsCounterClient counter = node.client(TsCounterClient.class);

        AtomicBoolean running = new AtomicBoolean(true);
        Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
        AtomicLong slowest = new AtomicLong();
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            callers.add(Thread.ofVirtual().start(() -> {
                while (running.get()) {
                    long t0 = System.nanoTime();
                    String outcome;
                    try {
                        counter.bump(1);
                        outcome = "ok";
                    } catch (ProcessCrashedException | NoProcessException | CallTimeoutException e) {
                        outcome = e.getClass().getSimpleName();
                    } catch (RuntimeException e) {
                        outcome = "unexpected " + e;
                    }
                    slowest.accumulateAndGet(System.nanoTime() - t0, Math::max);
                    outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
                    // back off a moment (not yield: a yielding virtual thread goes back to its carrier's own queue
                    // first, and eight of them on two cores starve the external wake-ups of the supervisor)
                    if (!outcome.equals("ok")) java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                }
            }));
        }

        int rounds = 20;
        for (int round = 0; round < rounds; round++) {
            FakeHost host = new FakeHost(channel, "tscounter");
            host.welcomed.get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (host.served.get() < 20) { // the host really serves callers before it goes down
                assertThat(System.nanoTime()).as("host of round %d served no calls", round).isLessThan(deadline);
                Thread.sleep(1); // a bounded poll of a counter, not a synchronization
            }
            if (round % 2 == 0) { // a thrown error first: the incarnation ends, the supervisor restarts it
                long before = node.whereis("tscounter").orElseThrow().incarnation();
                host.crashNext();
                long crashDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (node.whereis("tscounter").map(p -> p.incarnation()).orElse(before) == before) {
                    assertThat(System.nanoTime()).isLessThan(crashDeadline);
                    Thread.sleep(1);
                }
            }
            host.die();
            long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (external.isAttached("tscounter")) {
                assertThat(System.nanoTime()).isLessThan(gone);
                Thread.sleep(1);
            }
        }
        running.set(false);
        for (Thread t : callers) assertThat(t.join(Duration.ofSeconds(10))).as("a caller hung").isTrue();

        System.out.println("crash loop: " + rounds + " host deaths, " + rounds / 2 + " crashes; call outcomes " + outcomes
                + "; slowest call " + Duration.ofNanos(slowest.get()).toMillis() + " ms");
        assertThat(outcomes.keySet()).allMatch(k -> !k.startsWith("unexpected"), "only documented outcomes: " + outcomes);
        // each host served at least 20 calls; a call it served just before it died may still fail
        // (its reply lost with the host), and a round may serve exactly 20: at least half got through
        assertThat(outcomes.get("ok").get()).as("calls that got through; outcomes " + outcomes).isGreaterThanOrEqualTo(rounds * 10L);
        assertThat(outcomes).containsKey("ProcessCrashedException");
        assertThat(Duration.ofNanos(slowest.get())).as("slowest call; outcomes " + outcomes)
                .isLessThan(CALL_TIMEOUT.plusMillis(500));
    }
}
