package io.rusm;

import io.rusm.TestSupport.EventLog;
import io.rusm.TestSupport.Gate;
import io.rusm.TestSupport.Recorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fresh node per test with an {@link EventLog} listener; gates are opened and the node shut down
 * after each test, which must leave no process behind.
 */
@Timeout(60)
abstract class NodeTestBase {
    protected Node node;
    protected EventLog events;
    private final List<Gate> gates = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startNode() {
        node = Node.builder().name("test").defaultCallTimeout(TestSupport.LONG_TIMEOUT).build();
        events = new EventLog();
        node.addListener(events);
    }

    @AfterEach
    void stopNode() {
        gates.forEach(Gate::open);
        node.shutdown(Duration.ofSeconds(5));
        assertThat(node.processCount()).as("processes left after shutdown").isZero();
    }

    /** A gate that honours interruption (a kill unblocks it). */
    Gate gate() {
        return track(new Gate(false));
    }

    /** A gate whose blocked handler ignores interruption. */
    Gate stubbornGate() {
        return track(new Gate(true));
    }

    private Gate track(Gate g) {
        gates.add(g);
        return g;
    }

    Pid spawn(String name, Behavior behavior) {
        return node.spawn(SpawnOptions.named(name), behavior);
    }

    /** An anonymous recorder process, e.g. to watch others. */
    Recorder recorder() {
        return recorder(SpawnOptions.anonymous());
    }

    Recorder recorder(SpawnOptions options) {
        Recorder r = new Recorder();
        node.spawn(options, r);
        return r;
    }
}
