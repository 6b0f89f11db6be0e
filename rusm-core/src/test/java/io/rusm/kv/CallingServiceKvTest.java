package io.rusm.kv;

import io.rusm.Kv;
import io.rusm.Node;
import io.rusm.ProcessCrashedException;
import io.rusm.ResidentService;
import io.rusm.ServiceClient;
import io.rusm.ServiceDefinition;
import io.rusm.SpawnOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link KvStore#forCallingService()}: the namespace is the name of the service whose fiber calls. */
@Timeout(30)
class CallingServiceKvTest {
    @TempDir
    Path dir;
    private KvStore store;
    private Kv callers;
    private Node node;

    @BeforeEach
    void open() {
        store = KvStore.embedded(dir);
        callers = store.forCallingService();
        node = Node.create();
    }

    @AfterEach
    void close() {
        node.close();
        store.close();
    }

    /** Counts durably: its state is read back by every new incarnation, in its constructor (on its fiber). */
    @ResidentService("durable-counter")
    public static class DurableCounter {
        private final Kv kv;
        private long count;

        public DurableCounter(Kv kv) {
            this.kv = kv;
            this.count = kv.get("count", Long.class).orElse(0L);
        }

        public long increment() {
            kv.put("count", ++count);
            return count;
        }
    }

    @ServiceClient("durable-counter")
    public interface DurableCounterClient {
        long increment();
    }

    @Test
    void aServiceUsesItsOwnName() {
        node.spawnService(ServiceDefinition.of(DurableCounter.class), () -> new DurableCounter(callers));
        DurableCounterClient client = node.client(DurableCounterClient.class);
        client.increment();
        client.increment();
        assertThat(store.forComponent("durable-counter").get("count", Long.class)).contains(2L);
    }

    @Test
    void aNewIncarnationReadsWhatTheLastOneWrote() {
        var pid = node.spawnService(ServiceDefinition.of(DurableCounter.class), () -> new DurableCounter(callers));
        node.client(DurableCounterClient.class).increment();
        node.kill(pid);
        node.spawnService(ServiceDefinition.of(DurableCounter.class), () -> new DurableCounter(callers));
        assertThat(node.client(DurableCounterClient.class).increment()).isEqualTo(2);
    }

    @Test
    void twoProcessesGetTwoNamespaces() {
        node.spawn(SpawnOptions.named("a"), message -> {
            callers.put("who", "a");
            return callers.keys("");
        });
        node.spawn(SpawnOptions.named("b"), message -> {
            callers.put("who", "b");
            return callers.get("who", String.class).orElseThrow();
        });
        node.call("a", "go");
        assertThat((String) node.call("b", "go")).isEqualTo("b");
        assertThat(store.forComponent("a").get("who", String.class)).contains("a");
    }

    @Test
    void outsideAProcessItThrowsAndSaysWhatToUseInstead() {
        assertThatThrownBy(() -> callers.get("k", String.class))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("outside a rusm process")
                .hasMessageContaining("@ResidentService")
                .hasMessageContaining("KvStore.forComponent(name)");
        assertThatThrownBy(() -> callers.put("k", 1)).isInstanceOf(IllegalStateException.class);
        assertThat(store.forComponent("anything").keys("")).isEmpty();
    }

    @Test
    void inAThreadTheServiceStartedItThrows() {
        node.spawn(SpawnOptions.named("spawner"), message -> {
            CompletableFuture<Object> inThread = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    inThread.complete(callers.keys(""));
                } catch (Throwable t) {
                    inThread.complete(t);
                }
            }).join();
            return inThread.join();
        });
        assertThat((Object) node.call("spawner", "go")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anAnonymousProcessHasNoNamespace() {
        var pid = node.spawn(message -> callers.keys(""));
        assertThatThrownBy(() -> node.call(pid, "go"))
                .isInstanceOf(ProcessCrashedException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("anonymous process");
    }
}
