package io.rusm.service;

import io.rusm.CallTimeoutException;
import io.rusm.ServiceDefinition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The proxy itself: Object methods, default methods, its call timeout. */
class ClientProxyTest extends ServiceTestBase {

    @Test
    void toString_names_the_interface_and_the_service() {
        assertThat(node.client(CounterClient.class)).hasToString("CounterClient -> counter");
    }

    @Test
    void equals_and_hashCode_are_identity_and_never_reach_the_service() {
        CounterClient a = node.client(CounterClient.class);
        CounterClient b = node.client(CounterClient.class);
        assertThat(a).isEqualTo(a).isNotEqualTo(b).isNotEqualTo(null).isNotEqualTo("CounterClient -> counter");
        assertThat(a.hashCode()).isEqualTo(System.identityHashCode(a));
        assertThat(b.hashCode()).isEqualTo(System.identityHashCode(b));
        assertThat(node.processCount()).as("no service was needed").isZero();
    }

    @Test
    void calls_use_the_timeout_given_to_the_factory() {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        try {
            node.spawnService(ServiceDefinition.of(Counter.class), () -> new Counter(entered, gate));
            node.client(CounterCommands.class); // fine while blocked
            CounterClient impatient = node.client(CounterClient.class, Duration.ofMillis(100));
            Thread.ofVirtual().start(() -> node.client(CounterClient.class).block());
            awaitLatch(entered);
            assertThatThrownBy(impatient::total)
                    .isInstanceOf(CallTimeoutException.class)
                    .hasMessageContaining("within PT0.1S");
        } finally {
            gate.countDown();
        }
        assertThat(node.client(CounterClient.class).total()).isZero();
    }

    @Test
    void a_non_positive_timeout_is_rejected() {
        assertThatThrownBy(() -> node.client(CounterClient.class, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void default_methods_run_on_the_proxy() {
        node.spawnService(ServiceDefinition.of(Counter.class), Counter::new);
        CounterClient counter = node.client(CounterClient.class);
        assertThat(counter.bumpTwice(2)).isEqualTo(4);
        assertThat(counter.total()).isEqualTo(4);
    }

    @Test
    void a_client_made_before_its_service_exists_binds_once_it_does_and_every_method_keeps_its_own_handler() {
        CounterClient early = node.client(CounterClient.class); // the node knows no "counter" yet
        assertThatThrownBy(early::total).isInstanceOf(io.rusm.NoProcessException.class);
        node.spawnService(ServiceDefinition.of(Counter.class), Counter::new);
        for (int i = 1; i <= 3; i++) { // the same methods again: each still reaches its own handler
            assertThat(early.bump(2)).isEqualTo(12L * (i - 1) + 2);
            assertThat(early.add("10")).isEqualTo(12L * i);
            assertThat(valueOf(early.totalAsync())).isEqualTo(12L * i);
        }
        early.reset(); // the cast, FIFO before the call that follows
        assertThat(early.total()).isZero();
        assertThat(early.bumpTwice(1)).isEqualTo(2);
        assertThat(early).isEqualTo(early).hasToString("CounterClient -> counter");
    }
}
