package io.rusm.test;

import io.rusm.ExitReason;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.ProcessCrashedException;
import io.rusm.test.app.TallyApp;
import io.rusm.test.app.TallyClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Awaiting a restart and an escalation without sleeping, in a {@code @SpringBootTest}, as the README shows. */
@SpringBootTest(classes = TallyApp.class, properties = {"rusm.supervisor.intensity=1", "rusm.supervisor.period=1m"})
@DirtiesContext // it escalates the root
class RusmEventsTests {
    @Autowired
    Node node;

    @Autowired
    TallyClient tally;

    @Autowired
    RusmEvents events;

    @Test
    void awaitARestartThenAnEscalation() {
        Pid first = node.whereis("tally").orElseThrow();
        assertThatThrownBy(tally::boom).isInstanceOf(ProcessCrashedException.class);
        Pid second = events.awaitRestart(first, Duration.ofSeconds(10));
        assertThat(second.incarnation()).isEqualTo(first.incarnation() + 1);
        assertThat(tally.add(1)).as("the Kv value outlived the crash").isEqualTo(1);

        assertThatThrownBy(tally::boom).isInstanceOf(ProcessCrashedException.class);
        assertThat(events.awaitEscalation("rusm", Duration.ofSeconds(10)).supervisor()).isEqualTo("rusm");
        assertThat(events.awaitExit(second, Duration.ofSeconds(10))).isInstanceOf(ExitReason.Crashed.class);
        assertThat(events.restarts()).extracting(RusmEvents.Restart::pid).containsExactly(second);
    }

    @Test
    void aWaitThatIsNotAnsweredFailsAtItsBoundWithWhatWasRecorded() {
        Pid tallyPid = new Pid(node.name(), "tally", 1_000);
        assertThatThrownBy(() -> events.awaitRestart(tallyPid, Duration.ofMillis(200)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("no a restart of 'tally'");
    }
}
