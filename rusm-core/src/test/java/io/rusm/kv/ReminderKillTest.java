package io.rusm.kv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A reminder outlives its JVM: registered in one child JVM that is killed with SIGKILL before it is
 * due, it fires once in the next JVM; a third JVM finds that due time recorded and waits for the
 * next one instead of firing it again.
 */
@Timeout(120)
class ReminderKillTest {
    @TempDir
    Path dir;

    @Test
    void aReminderSurvivesKill9AndFiresOncePerDueTime() throws Exception {
        String store = dir.resolve("kv").toString();
        List<String> lines = new CopyOnWriteArrayList<>();

        try (ChildJvm first = ChildJvm.start(ReminderChildMain.class, dir, lines::add, "register", store, "2000").awaitOpen()) {
            await("registered").atMost(Duration.ofSeconds(30)).until(() -> lines.contains("REGISTERED"));
            first.kill(); // before the due time: nothing but Kv remembers it
        }
        assertThat(lines).doesNotContain("FIRED r");

        lines.clear();
        try (ChildJvm second = ChildJvm.start(ReminderChildMain.class, dir, lines::add, "resume", store).awaitOpen()) {
            await("fired in the next JVM").atMost(Duration.ofSeconds(30)).until(() -> {
                if (!second.isAlive()) throw new AssertionError("child died: " + second.diagnostics());
                return lines.contains("FIRED r");
            });
            second.kill();
        }
        assertThat(lines.stream().filter("FIRED r"::equals).count()).isOne();

        lines.clear();
        try (ChildJvm third = ChildJvm.start(ReminderChildMain.class, dir, lines::add, "resume", store).awaitOpen()) {
            await("third JVM resumed").atMost(Duration.ofSeconds(30)).until(() -> lines.stream().anyMatch(l -> l.startsWith("NEXT ")));
            String next = lines.stream().filter(l -> l.startsWith("NEXT ")).findFirst().orElseThrow().substring(5);
            assertThat(Instant.parse(next)).as("the fired due time is recorded: the next one is an hour on")
                    .isAfter(Instant.now().plus(Duration.ofMinutes(59)));
            third.kill();
        }
        assertThat(lines).doesNotContain("FIRED r");
    }

    /**
     * The same across kill -9 for an on-demand service: the next JVM starts nothing itself, yet the
     * reminder that came due while no JVM ran starts the service through its supervisor and fires
     * once; the JVM after that finds the due time recorded.
     */
    @Test
    void aDueReminderStartsTheOnDemandServiceInTheNextJvm() throws Exception {
        String store = dir.resolve("kv").toString();
        List<String> lines = new CopyOnWriteArrayList<>();

        try (ChildJvm first = ChildJvm.start(ReminderChildMain.class, dir, lines::add, "register", store, "1000", "on-demand").awaitOpen()) {
            await("registered").atMost(Duration.ofSeconds(30)).until(() -> lines.contains("REGISTERED"));
            first.kill();
        }
        assertThat(lines).doesNotContain("FIRED r");

        lines.clear();
        try (ChildJvm second = ChildJvm.start(ReminderChildMain.class, dir, lines::add, "idle", store, "on-demand").awaitOpen()) {
            await("fired in the next JVM, which started nothing").atMost(Duration.ofSeconds(30)).until(() -> {
                if (!second.isAlive()) throw new AssertionError("child died: " + second.diagnostics());
                return lines.contains("FIRED r");
            });
            second.kill();
        }
        assertThat(lines.stream().filter("FIRED r"::equals).count()).isOne();

        lines.clear();
        try (ChildJvm third = ChildJvm.start(ReminderChildMain.class, dir, lines::add, "resume", store, "on-demand").awaitOpen()) {
            await("third JVM resumed").atMost(Duration.ofSeconds(30)).until(() -> lines.stream().anyMatch(l -> l.startsWith("NEXT ")));
            String next = lines.stream().filter(l -> l.startsWith("NEXT ")).findFirst().orElseThrow().substring(5);
            assertThat(Instant.parse(next)).isAfter(Instant.now().plus(Duration.ofMinutes(59)));
            third.kill();
        }
        assertThat(lines).doesNotContain("FIRED r");
    }
}
