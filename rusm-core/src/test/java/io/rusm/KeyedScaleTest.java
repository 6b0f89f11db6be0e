package io.rusm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Keys come and go without leaving anything behind: 100,000 keys called once each get their own
 * state, stop after a short idle timeout, and the node's live processes and heap after GC return to
 * where they were.
 */
@Timeout(120)
class KeyedScaleTest extends NodeTestBase {
    private static final int KEYS = 100_000;
    private static final int CALLERS = 32;
    private static final int WARM_UP_ROUNDS = 1;

    /** Its state: the key it serves and how many calls it had. */
    @ResidentService("device")
    public static final class Device {
        private final String key = ProcessContext.key();
        private final byte[] twin = new byte[256]; // some state of its own, so a kept instance would show
        private int calls;

        /** Keeps the key busy (so not idle) until the test lets go. */
        public void hold() throws InterruptedException {
            HOLD.await();
        }

        public String hello() {
            twin[calls % twin.length]++;
            return key + ":" + (++calls);
        }
    }

    static volatile java.util.concurrent.CountDownLatch HOLD = new java.util.concurrent.CountDownLatch(0);

    @ServiceClient("device")
    public interface DeviceClient {
        String hello(@Key String device);

        @Cast
        void hold(@Key String device);
    }

    @Test
    void a_hundred_thousand_keys_called_once_each_leave_nothing_behind_once_idle() throws Exception {
        node.removeListener(events); // the test's event log would keep every pid
        node.startSupervisor(SupervisorSpec.of("devices").withChildren(List.of(node.keyedService(
                KeyedSpec.of(ServiceDefinition.of(Device.class), Device::new).withIdleTimeout(Duration.ofMillis(200))))));
        DeviceClient devices = node.client(DeviceClient.class);
        int baselineProcesses = node.processCount();

        // The node's hash tables (the registry's names, the family's keys) keep the capacity of
        // their busiest moment, as every ConcurrentHashMap does: a high-water mark of about 1 MB each
        // for 100,000 live keys, not memory per key. So the warm-up first has all 100,000 keys alive
        // at once (each held busy, so none goes idle), which no later round can exceed, then one
        // round of calls at speed (JIT); the measured round, on other keys, must leave the heap as it found it.
        HOLD = new java.util.concurrent.CountDownLatch(1);
        try {
            sendEachOnce(devices, "held-");
            await().atMost(Duration.ofSeconds(60)).until(() -> node.keyedStats("device").orElseThrow().liveKeys() == KEYS);
        } finally {
            HOLD.countDown();
        }
        awaitIdle(baselineProcesses);
        for (int r = 0; r < WARM_UP_ROUNDS; r++) {
            callEachOnce(devices, "warm" + r + "-");
            awaitIdle(baselineProcesses);
        }
        long before = HeapAfterGc.used();

        callEachOnce(devices, "dev-");
        KeyedStats busy = node.keyedStats("device").orElseThrow();
        assertThat(busy.activations()).isEqualTo((WARM_UP_ROUNDS + 2L) * KEYS);
        awaitIdle(baselineProcesses);
        long after = HeapAfterGc.used();

        System.out.printf("KeyedScaleTest: heap after GC %.1f MB before, %.1f MB after %,d keys came and went (%+.1f%%)%n",
                before / 1e6, after / 1e6, KEYS, 100.0 * (after - before) / before);
        assertThat((double) after).as("heap after GC, before %d bytes", before).isLessThanOrEqualTo(before * 1.10);
        assertThat(node.runtime().rememberedNames()).as("names the node remembers").isLessThanOrEqualTo(baselineProcesses + 2);
    }

    private void callEachOnce(DeviceClient devices, String prefix) throws InterruptedException {
        Queue<String> wrong = new ConcurrentLinkedQueue<>();
        List<Thread> callers = new ArrayList<>();
        for (int c = 0; c < CALLERS; c++) {
            int first = c;
            callers.add(Thread.ofVirtual().start(() -> {
                for (int i = first; i < KEYS; i += CALLERS) {
                    String key = prefix + i;
                    String reply = devices.hello(key);
                    if (!reply.equals(key + ":1")) wrong.add(key + " -> " + reply);
                }
            }));
        }
        for (Thread t : callers) assertThat(t.join(Duration.ofSeconds(60))).as("caller finished").isTrue();
        assertThat(wrong).as("each key its own fresh state").isEmpty();
    }

    private void sendEachOnce(DeviceClient devices, String prefix) throws InterruptedException {
        List<Thread> senders = new ArrayList<>();
        for (int c = 0; c < CALLERS; c++) {
            int first = c;
            senders.add(Thread.ofVirtual().start(() -> {
                for (int i = first; i < KEYS; i += CALLERS) devices.hold(prefix + i);
            }));
        }
        for (Thread t : senders) assertThat(t.join(Duration.ofSeconds(60))).as("sender finished").isTrue();
    }

    private void awaitIdle(int baselineProcesses) {
        await().atMost(Duration.ofSeconds(30)).until(() -> node.keyedStats("device").orElseThrow().liveKeys() == 0
                && node.processCount() == baselineProcesses);
    }
}
