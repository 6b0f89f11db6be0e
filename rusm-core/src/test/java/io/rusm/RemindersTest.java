package io.rusm;

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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Durable reminders in the service's {@code Kv}, on the real clock (short due times, latches, no sleeps). */
class RemindersTest extends NodeTestBase {
    @TempDir
    Path dir;
    private KvStore store;

    /** Where every Reminded incarnation reports what it got: "incarnation:name". */
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

    @ResidentService("reminded")
    public static class Reminded {
        public void register(String name, long inMillis, long periodMillis) {
            ProcessContext.reminders().register(name, Instant.now().plusMillis(inMillis), Duration.ofMillis(periodMillis));
        }

        public boolean unregister(String name) {
            return ProcessContext.reminders().unregister(name);
        }

        public String nextDue(String name) {
            return ProcessContext.reminders().nextDue(name).map(Instant::toString).orElse("none");
        }

        public void onReminder(String name) {
            FIRED.add(ProcessContext.self().incarnation() + ":" + name);
        }
    }

    @ServiceClient("reminded")
    public interface RemindedClient {
        void register(String name, long inMillis, long periodMillis);

        boolean unregister(String name);

        String nextDue(String name);
    }

    private static String next() throws InterruptedException {
        String s = FIRED.poll(TestSupport.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(s).as("a reminder within %s", TestSupport.WAIT).isNotNull();
        return s;
    }

    private RemindedClient supervised() {
        ServiceDefinition def = ServiceDefinition.of(Reminded.class);
        node.declareService(def);
        node.startSupervisor(SupervisorSpec.of("sup").withChild(WorkerSpec.of("reminded", () -> def.newBehavior(Reminded::new))));
        return node.client(RemindedClient.class);
    }

    @Test
    void aOneShotReminderFiresOnceAndIsThenGone() throws Exception {
        BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();
        node.addListener(new io.rusm.event.ProcessListener() {
            @Override
            public void reminderFired(String service, String reminder, String outcome) {
                outcomes.add(service + "/" + reminder + "/" + outcome);
            }
        });
        RemindedClient c = supervised();
        c.register("once", 50, 0);
        assertThat(next()).isEqualTo("1:once");
        assertThat(outcomes.poll(TestSupport.WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("reminded/once/ok");
        assertThat(c.nextDue("once")).isEqualTo("none");
        assertThat(store.forComponent("reminded").keys("rusm.reminder.")).isEmpty();
    }

    @Test
    void aPeriodicReminderFiresEveryPeriod() throws Exception {
        RemindedClient c = supervised();
        c.register("rate", 20, 50);
        for (int i = 0; i < 3; i++) assertThat(next()).isEqualTo("1:rate");
        assertThat(c.unregister("rate")).isTrue();
    }

    @Test
    void aReminderSurvivesARestartOfTheServiceAndFiresOncePerDueTime() throws Exception {
        RemindedClient c = supervised();
        c.register("r", 1_000, Duration.ofHours(1).toMillis());
        Pid first = node.whereis("reminded").orElseThrow();
        node.kill(first); // before it is due: the reminder lives in Kv, not in the incarnation
        assertThat(next()).as("fired by the next incarnation").isEqualTo("2:r");
        Pid second = node.whereis("reminded").orElseThrow();
        node.kill(second);
        org.awaitility.Awaitility.await().atMost(TestSupport.WAIT)
                .until(() -> node.whereis("reminded").filter(p -> p.incarnation() == 3).isPresent());
        assertThat(Instant.parse(c.nextDue("r"))).as("the third incarnation waits for the next due time")
                .isAfter(Instant.now().plus(Duration.ofMinutes(59)));
        assertThat(FIRED).as("not fired again for the same due time").isEmpty();
    }

    @Test
    void dueTimesMissedWhileDownFireOnce() throws Exception {
        RemindedClient c = supervised();
        c.register("missed", -600_000, 60_000); // ten due times already passed
        assertThat(next()).isEqualTo("1:missed");
        assertThat(Instant.parse(c.nextDue("missed"))).isAfter(Instant.now());
        assertThat(FIRED).isEmpty();
    }

    @Test
    void aServiceWithoutOnReminderIsToldSo() {
        Pid p = node.spawn(new Behavior() {
            @Override
            public Object handle(Object message) {
                return ProcessContext.reminders();
            }
        });
        assertThatThrownBy(() -> node.call(p, "x")).hasMessageContaining("plain process");
    }
}
