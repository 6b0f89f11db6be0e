package io.rusm.demo.pubsub;

import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.ServiceDefinition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The hub's keep-alive is a timer of the hub's incarnation: it runs with it and a new incarnation has its own. */
class HubKeepAliveTest {

    @Test
    void theHubSendsKeepAlivesFromItsOwnTimer() throws Exception {
        try (Node node = Node.create()) {
            ServiceDefinition def = ServiceDefinition.of(PubSubHub.class);
            Pid hub = node.spawnService(def, () -> new PubSubHub(node, Duration.ofMillis(20)));
            CountDownLatch pinged = new CountDownLatch(3);
            Pid subscriber = node.spawn(message -> {
                if (message == Subscribers.KeepAlive.INSTANCE) pinged.countDown();
                return null;
            });
            node.client(HubClient.class).subscribe("t", subscriber);
            assertThat(pinged.await(10, TimeUnit.SECONDS)).as("three keep-alive rounds").isTrue();
            assertThat(node.timerKeys(hub)).containsExactly("keep-alive");

            node.kill(hub);
            assertThat(node.timerKeys(hub)).as("gone with the incarnation").isEmpty();
            Pid next = node.spawnService(def, () -> new PubSubHub(node, Duration.ofMillis(20)));
            assertThat(node.timerKeys(next)).as("a new incarnation starts its own").containsExactly("keep-alive");
        }
    }
}
