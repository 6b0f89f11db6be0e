package io.rusm;

import io.rusm.kv.KvStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A reminder of a key of a keyed service starts that key when it comes due while the key is not
 * running (it stopped when idle), once per due time; a key without reminders leaves nothing behind.
 */
class KeyedRemindersTest extends NodeTestBase {
    static final BlockingQueue<String> FIRED = new LinkedBlockingQueue<>();

    @ResidentService("session")
    public static final class Session {
        public void expireIn(long millis) {
            ProcessContext.reminders().register("expire", Instant.now().plusMillis(millis), Duration.ofHours(1));
        }

        public void touch() {
        }

        public void onReminder(String name) {
            FIRED.add(ProcessContext.self().name() + "#" + ProcessContext.self().incarnation() + ":" + name);
        }
    }

    @ServiceClient("session")
    public interface SessionClient {
        void expireIn(@Key String id, long millis);

        void touch(@Key String id);
    }

    @Test
    void aDueReminderStartsItsIdleKeyOnce(@TempDir Path dir) throws Exception {
        FIRED.clear();
        try (KvStore store = KvStore.embedded(dir)) {
            node.reminderStore(store::forComponent);
            node.startSupervisor(SupervisorSpec.of("sessions").withChildren(List.of(node.keyedService(
                    KeyedSpec.of(ServiceDefinition.of(Session.class), Session::new).withIdleTimeout(Duration.ofMillis(100))))));
            SessionClient sessions = node.client(SessionClient.class);
            sessions.expireIn("s-1", 1_500);
            sessions.touch("s-2"); // no reminders: nothing of it may stay after it stops
            await().atMost(Duration.ofSeconds(10)).until(() -> node.whereis("session/s-1").isEmpty() && node.whereis("session/s-2").isEmpty());

            String fired = FIRED.poll(20, TimeUnit.SECONDS);
            assertThat(fired).as("the reminder started its key again").isEqualTo("session/s-1#2:expire");
            assertThat(FIRED.poll(500, TimeUnit.MILLISECONDS)).as("once per due time").isNull();
            await().atMost(Duration.ofSeconds(10)).until(() -> node.whereis("session/s-1").isEmpty());
            assertThat(node.whereis("session/s-2")).isEmpty();
        }
    }
}
