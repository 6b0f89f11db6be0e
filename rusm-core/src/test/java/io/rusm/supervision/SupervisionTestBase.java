package io.rusm.supervision;

import io.rusm.ExitReason;
import io.rusm.Node;
import io.rusm.Supervisor;
import io.rusm.SupervisorSpec;
import io.rusm.WorkerSpec;
import io.rusm.supervision.SupervisionFixtures.Journal;
import io.rusm.supervision.SupervisionFixtures.Knobs;
import io.rusm.supervision.SupervisionFixtures.SupervisionEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fresh node per test, a lifecycle {@link Journal}, a {@link SupervisionEvents} listener, and a
 * record of every top-level supervisor's abnormal-exit callbacks. After each test every blocked
 * behavior is released and the node is shut down, which must leave no process behind.
 */
@Timeout(60)
abstract class SupervisionTestBase {
    protected Node node;
    protected Journal journal;
    protected SupervisionEvents events;
    /** Abnormal exits reported to {@link #start}'s callback, in order. */
    protected final List<ExitReason> abnormalExits = new CopyOnWriteArrayList<>();
    private final List<Knobs> knobs = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startNode() {
        node = Node.builder().name("sup-test").defaultCallTimeout(SupervisionFixtures.WAIT).build();
        journal = new Journal();
        events = new SupervisionEvents();
        node.addListener(events);
    }

    @AfterEach
    void stopNode() {
        knobs.forEach(Knobs::releaseAll);
        node.shutdown(Duration.ofSeconds(10));
        assertThat(node.processCount()).as("processes left after shutdown").isZero();
    }

    /** Starts a top-level supervisor whose abnormal exits are recorded in {@link #abnormalExits}. */
    Supervisor start(SupervisorSpec spec) {
        return node.startSupervisor(spec, abnormalExits::add);
    }

    /**
     * Waits for {@code sup} to exit with {@code escalated} and for its abnormal-exit callback, which
     * must have fired exactly once (the callback runs as the exit completes, not necessarily before
     * other observers of the exit future).
     */
    void awaitEscalated(Supervisor sup) {
        assertThat(sup.exitFuture()).succeedsWithin(SupervisionFixtures.WAIT).isEqualTo(ExitReason.ESCALATED);
        SupervisionFixtures.eventually().until(() -> !abnormalExits.isEmpty());
        assertThat(abnormalExits).containsExactly(ExitReason.ESCALATED);
    }

    Knobs knobs() {
        Knobs k = new Knobs();
        knobs.add(k);
        return k;
    }

    WorkerSpec worker(String name) {
        return SupervisionFixtures.worker(name, journal, knobs());
    }

    WorkerSpec worker(String name, Knobs k) {
        return SupervisionFixtures.worker(name, journal, k);
    }
}
