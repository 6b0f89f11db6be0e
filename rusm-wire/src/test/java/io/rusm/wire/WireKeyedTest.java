package io.rusm.wire;

import io.rusm.KeyedSpec;
import io.rusm.Node;
import io.rusm.ProcessContext;
import io.rusm.ResidentService;
import io.rusm.ServiceDefinition;
import io.rusm.SupervisorSpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A call by name over the wire to {@code <service>/<key>} activates that key, as any call by name does. */
class WireKeyedTest {

    @ResidentService("tab")
    public static final class Tab {
        private final String key = ProcessContext.key();
        private long total;

        public String add(long amount) {
            total += amount;
            return key + "=" + total;
        }
    }

    @Test
    void aKeyIsStartedByItsFirstCallOverTheWire() {
        try (Node node = Node.builder().name("java").build()) {
            node.startSupervisor(SupervisorSpec.of("bar").withChildren(List.of(
                    node.keyedService(KeyedSpec.of(ServiceDefinition.of(Tab.class), Tab::new)))));
            try (WireServer wire = WireServer.builder(node).port(0).start();
                 WireClient client = WireClient.connect("127.0.0.1:" + wire.port(), Duration.ofSeconds(5), 1024 * 1024)) {
                assertThat(client.<String>call("tab/alice", "add", String.class, 3)).isEqualTo("alice=3");
                assertThat(client.<String>call("tab/alice", "add", String.class, 4)).isEqualTo("alice=7");
                assertThat(client.<String>call("tab/bob", "add", String.class, 1)).isEqualTo("bob=1");
                assertThat(node.keyedStats("tab").orElseThrow().activations()).isEqualTo(2);
            }
        }
    }
}
