package io.rusm;

import io.rusm.internal.timer.ServiceReminders;
import io.rusm.kv.KvStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A due reminder of an on-demand service ({@code resident: false}) that is not running starts it
 * through its supervisor, as a first call would, and the new incarnation gets the reminder once per
 * due time. Real clock, short due times, latches and Awaitility, no sleeps.
 */
class OnDemandRemindersTest extends NodeTestBase {
    static final long HOUR = Duration.ofHours(1).toMillis();

    @TempDir
    Path dir;
    private KvStore store;

    /** What every Lazy incarnation got: "incarnation:name". */
    static final BlockingQueue<String> FIRED = new LinkedBlockingQueue<>();

    @BeforeEach
    void store() {
        FIRED.clear();
        store = KvStore.embedded(dir.resolve("kv"));
        node.reminderStore(store::forComponent);
    }

    @AfterEach
    void closeStore() {
        node.shutdown(Duration.ofSeconds(5));
        store.close();
    }

    @ResidentService("lazy")
    public static class Lazy {
        /** Registers the reminder and ends this incarnation in the same message: it can never fire it itself. */
        public void registerAndStop(String name, long inMillis, long periodMillis) {
            ProcessContext.reminders().register(name, Instant.now().plusMillis(inMillis), Duration.ofMillis(periodMillis));
            ProcessContext.stopSelf(ExitReason.NORMAL);
        }

        public String nextDue(String name) {
            return ProcessContext.reminders().nextDue(name).map(Instant::toString).orElse("none");
        }

        public boolean unregister(String name) {
            return ProcessContext.reminders().unregister(name);
        }

        public void onReminder(String name) {
            FIRED.add(ProcessContext.self().incarnation() + ":" + name);
            if (name.startsWith("stop-")) ProcessContext.stopSelf(ExitReason.NORMAL); // idle again until the next due time
        }
    }

    @ServiceClient("lazy")
    public interface LazyClient {
        void registerAndStop(String name, long inMillis, long periodMillis);

        String nextDue(String name);

        boolean unregister(String name);
    }

    private static String next() throws InterruptedException {
        String s = FIRED.poll(TestSupport.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(s).as("a reminder within %s", TestSupport.WAIT).isNotNull();
        return s;
    }

    /** An on-demand, transient "lazy" under supervisor "sup": a normal stop leaves it idle, not restarted. */
    private Supervisor supervise() {
        ServiceDefinition def = ServiceDefinition.of(Lazy.class);
        node.declareService(def);
        return node.startSupervisor(SupervisorSpec.of("sup").withChild(WorkerSpec.of("lazy", () -> def.newBehavior(Lazy::new))
                .withResident(false).withRestart(RestartType.TRANSIENT)));
    }

    private void awaitIdle() {
        // Looked at often: the first test has to see the gap before its reminder is due and starts it again.
        await("lazy is idle").atMost(TestSupport.WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                .until(() -> node.whereis("lazy").isEmpty());
    }

    @Test
    void anIdleOnDemandServiceIsStartedForItsDueReminderAndGetsItOnce() throws Exception {
        Supervisor sup = supervise();
        LazyClient c = node.client(LazyClient.class);
        c.registerAndStop("r", 1_000, HOUR); // starts incarnation 1, which registers and stops well before the due time
        awaitIdle();

        assertThat(next()).as("started through its supervisor by the due reminder").isEqualTo("2:r");
        assertThat(node.whereis("lazy")).hasValueSatisfying(p -> assertThat(p.incarnation()).isEqualTo(2));
        assertThat(Instant.parse(c.nextDue("r"))).as("the due time is recorded").isAfter(Instant.now().plus(Duration.ofMinutes(59)));

        sup.terminateChild("lazy"); // idle again: the wake-up waits for the next due time, an hour on
        awaitIdle();
        await("wake-up armed for the next due time").atMost(TestSupport.WAIT)
                .until(() -> node.runtime().reminderWakeups().armedFor("lazy")
                        .filter(at -> at.isAfter(Instant.now().plus(Duration.ofMinutes(59)))).isPresent());
        assertThat(FIRED).as("no second delivery of the same due time").isEmpty();
        assertThat(node.whereis("lazy")).as("not started again before the next due time").isEmpty();
    }

    @Test
    void eachDueTimeOfAPeriodicReminderStartsTheIdleServiceOnce() throws Exception {
        supervise();
        LazyClient c = node.client(LazyClient.class);
        c.registerAndStop("stop-p", 100, 400); // every delivery ends its incarnation: each due time starts a new one
        int last = 1;
        for (int i = 0; i < 3; i++) {
            String fired = next();
            assertThat(fired).endsWith(":stop-p");
            int incarnation = Integer.parseInt(fired.substring(0, fired.indexOf(':')));
            assertThat(incarnation).as("a fresh incarnation per due time").isGreaterThan(last);
            last = incarnation;
        }
    }

    @Test
    void aReminderStoredBeforeTheSupervisorStartsStartsTheServiceThatNeverRan() throws Exception {
        // What a previous JVM left in Kv: a reminder of "lazy", due a second ago, hourly.
        long now = System.currentTimeMillis();
        store.forComponent("lazy").put("rusm.reminder.r", new ServiceReminders.State(now - 1_000, HOUR, Long.MIN_VALUE));
        supervise();

        assertThat(next()).as("the supervisor's start made it startable; its due reminder started it").isEqualTo("1:r");
        LazyClient c = node.client(LazyClient.class);
        assertThat(Instant.parse(c.nextDue("r"))).isAfter(Instant.now().plus(Duration.ofMinutes(59)));
        assertThat(FIRED).isEmpty();
    }

    @Test
    void aWakeUpRacingAFirstCallStartsOneIncarnationThatFiresOnce() {
        long now = System.currentTimeMillis();
        store.forComponent("lazy").put("rusm.reminder.r", new ServiceReminders.State(now - 1_000, HOUR, Long.MIN_VALUE));
        supervise();
        LazyClient c = node.client(LazyClient.class);
        // Races the wake-up's start: whichever starts it, the supervisor starts one incarnation. Once
        // nextDue is an hour on, the fire ran to its end (recorded, then delivered, on the one fiber).
        await("fired").atMost(TestSupport.WAIT)
                .until(() -> Instant.parse(c.nextDue("r")).isAfter(Instant.now().plus(Duration.ofMinutes(59))));
        assertThat(FIRED).containsExactly("1:r");
        assertThat(node.whereis("lazy")).hasValueSatisfying(p -> assertThat(p.incarnation()).isEqualTo(1));
    }

    @Test
    void aStoreGivenAfterTheSupervisorStartedIsScannedToo() throws Exception {
        node.reminderStore(null);
        long now = System.currentTimeMillis();
        store.forComponent("lazy").put("rusm.reminder.r", new ServiceReminders.State(now - 1_000, 0, Long.MIN_VALUE));
        supervise();
        assertThat(node.whereis("lazy")).isEmpty();

        node.reminderStore(store::forComponent);
        assertThat(next()).isEqualTo("1:r");
        await("the one-shot reminder is gone once fired").atMost(TestSupport.WAIT)
                .until(() -> store.forComponent("lazy").keys("rusm.reminder.").isEmpty());
    }

    @Test
    void theNodeForgetsTheWatchWithTheSupervisor() {
        Supervisor sup = supervise();
        assertThat(node.runtime().reminderWakeups().watchedCount()).isEqualTo(1);
        sup.stop();
        await().atMost(TestSupport.WAIT).until(() -> node.runtime().reminderWakeups().watchedCount() == 0);
    }
}
