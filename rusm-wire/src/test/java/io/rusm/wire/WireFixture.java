package io.rusm.wire;

import io.rusm.Node;
import io.rusm.wire.testapp.WireTestApp;

import java.time.Duration;

/**
 * The test app's tree on an in-JVM node, served on a free port with a 64 KB request limit, and a
 * client of it; {@link PerClass} gives a test class one for all its tests.
 */
final class WireFixture implements AutoCloseable {
    final Node node;
    final WireServer wire;
    final WireClient client;

    WireFixture() {
        node = Node.builder().name("java").build();
        ExternalServices external = new ExternalServices(node);
        WireTestApp.Start.tree(node, external);
        wire = WireServer.builder(node).port(0).maxMessageSize(64 * 1024).externalServices(external).start();
        // the client accepts more than the node, so the node's own limit is what a big request meets
        client = WireClient.connect("127.0.0.1:" + wire.port(), Duration.ofSeconds(5), 1024 * 1024);
    }

    @Override
    public void close() {
        client.close();
        wire.close();
        node.close();
    }

    /** One fixture per test class: {@code node} and {@code client} for its tests. */
    abstract static class PerClass {
        static WireFixture fixture;
        static Node node;
        static WireClient client;

        @org.junit.jupiter.api.BeforeAll
        static void startFixture() {
            fixture = new WireFixture();
            node = fixture.node;
            client = fixture.client;
        }

        @org.junit.jupiter.api.AfterAll
        static void stopFixture() {
            fixture.close();
        }
    }
}
