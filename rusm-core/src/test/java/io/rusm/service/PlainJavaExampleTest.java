package io.rusm.service;

import io.rusm.Cast;
import io.rusm.Node;
import io.rusm.ResidentService;
import io.rusm.ServiceClient;
import io.rusm.ServiceDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** The plain-Java example of the README ("Without Spring"), verbatim between the markers, so it keeps compiling. */
@Timeout(30)
class PlainJavaExampleTest {

    // --- README "Without Spring" example: begin ---
    @ResidentService("counter")
    public static class Counter {
        private long count;                                     // owned by the service's fiber: no locks
        public long bump(long by) { return count += by; }
        public void reset() { count = 0; }
    }

    @ServiceClient("counter")
    public interface CounterClient {
        long bump(long by);                                     // call: waits for the reply
        CompletableFuture<Long> bumpAsync(long by);             // async call to bump(long)
        @Cast void reset();                                     // send: fire-and-forget
    }

    static long example() {
        try (Node node = Node.create()) {
            node.spawnService(ServiceDefinition.of(Counter.class), Counter::new);
            CounterClient counter = node.client(CounterClient.class);
            counter.bump(2);
            return counter.bumpAsync(3).join();                 // 5
        }
    }
    // --- README "Without Spring" example: end ---

    @Test
    void the_readme_example_runs() {
        assertThat(example()).isEqualTo(5);
    }
}
