package io.rusm;

import io.rusm.kv.KvStore;
import jakarta.annotation.PreDestroy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import static io.rusm.TestSupport.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Keyed services on one node: one process per key, on demand, idle stop, per-key supervision. */
class KeyedServiceTest extends NodeTestBase {

    /** One cart per user; its state is its own (in memory), its key from ProcessContext. */
    @ResidentService("cart")
    public static final class Cart {
        static final Map<String, AtomicInteger> stopped = new ConcurrentHashMap<>();
        private final String key = ProcessContext.key();
        private final List<String> items = new ArrayList<>();

        public int add(String item) {
            items.add(item);
            return items.size();
        }

        public List<String> items() {
            return List.copyOf(items);
        }

        public String key() {
            return key;
        }

        public String whoAmI() {
            return ProcessContext.self().name();
        }

        public void boom() {
            throw new IllegalStateException("boom in " + key);
        }

        public int grow(int kilobytes) {
            for (int i = 0; i < kilobytes; i++) items.add(new String(new char[512]));
            return items.size();
        }

        static volatile CountDownLatch hold = new CountDownLatch(0);

        public void hold() throws InterruptedException {
            hold.await();
        }

        @PreDestroy
        public void stop() {
            stopped.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    @ServiceClient("cart")
    public interface CartClient {
        int add(@Key String user, String item);

        List<String> items(@Key String user);

        String key(@Key Object user);

        String whoAmI(@Key String user);

        CompletableFuture<Integer> addAsync(@Key String user, String item);

        @Cast
        void add2(@Key String user, String item); // no such handler: only for validation

        void boom(@Key String user);

        int grow(@Key String user, int kilobytes);
    }

    /** The same service through a client bound to one key. */
    @ServiceClient("cart")
    public interface OneCart {
        int add(String item);

        List<String> items();

        String key();
    }

    @ServiceClient("cart")
    public interface GoodCartClient {
        int add(@Key String user, String item);

        List<String> items(@Key String user);

        String key(@Key Object user);

        String whoAmI(@Key String user);

        CompletableFuture<Integer> addAsync(@Key String user, String item);

        void boom(@Key String user);

        int grow(@Key String user, int kilobytes);

        CompletableFuture<Void> holdAsync(@Key String user);
    }

    @ServiceClient("cart")
    public interface KeylessCartClient {
        int add(String item);
    }

    @ServiceClient("cart")
    public interface KeyInTheMiddle {
        int add(String item, @Key String user);
    }

    @ResidentService("plain")
    public static final class Plain {
        public int add(String item) {
            return 1;
        }
    }

    @ServiceClient("plain")
    public interface PlainWithKey {
        int add(@Key String user, String item);
    }

    @ServiceClient("plain")
    public interface PlainClient {
        int add(String item);
    }

    private Supervisor startCart(KeyedSpec spec) {
        return node.startSupervisor(SupervisorSpec.of("shop").withChildren(List.of(node.keyedService(spec))));
    }

    private KeyedSpec cart() {
        return KeyedSpec.of(ServiceDefinition.of(Cart.class), Cart::new);
    }

    @Test
    void each_key_has_its_own_process_named_service_slash_key_and_its_own_state() {
        startCart(cart());
        GoodCartClient carts = node.client(GoodCartClient.class);

        assertThat(carts.add("alice", "apple")).isEqualTo(1);
        assertThat(carts.add("alice", "pear")).isEqualTo(2);
        assertThat(carts.add("bob", "fig")).isEqualTo(1);

        assertThat(carts.items("alice")).containsExactly("apple", "pear");
        assertThat(carts.items("bob")).containsExactly("fig");
        assertThat(carts.key(42)).as("key = String.valueOf(argument)").isEqualTo("42");
        assertThat(carts.whoAmI("alice")).isEqualTo("cart/alice");
        assertThat(node.whereis("cart/alice")).isPresent();
        assertThat(node.whereis("cart/carol")).as("never called: never started").isEmpty();
        assertThat(carts.addAsync("carol", "kiwi").join()).isEqualTo(1);

        OneCart alice = node.client(OneCart.class, "alice");
        assertThat(alice.items()).containsExactly("apple", "pear");
        assertThat(alice.add("plum")).isEqualTo(3);
        assertThat(alice.key()).isEqualTo("alice");
        assertThat(alice.toString()).isEqualTo("OneCart -> cart/alice");

        KeyedStats stats = node.keyedStats("cart").orElseThrow();
        assertThat(stats.liveKeys()).isEqualTo(4); // alice, bob, 42, carol
        assertThat(stats.activations()).isEqualTo(4);
        assertThat(stats.running()).isTrue();
        // A name by name, as the wire calls it, reaches the key and knows its service's handlers.
        assertThat(node.serviceDefinition("cart/dave")).contains(ServiceDefinition.of(Cart.class));
    }

    @Test
    void concurrent_first_calls_start_a_key_once() throws Exception {
        startCart(cart());
        GoodCartClient carts = node.client(GoodCartClient.class);
        int callers = 64;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            String item = "i" + i;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
                carts.add("hot", item);
            }));
        }
        go.countDown();
        for (Thread t : threads) t.join(WAIT);
        assertThat(carts.items("hot")).hasSize(callers);
        assertThat(node.keyedStats("cart").orElseThrow().activations()).isEqualTo(1);
    }

    @Test
    void clients_that_name_no_key_or_a_key_where_none_belongs_fail_with_clear_messages() {
        startCart(cart());
        node.declareService(ServiceDefinition.of(Plain.class));

        assertThatThrownBy(() -> node.client(CartClient.class)).isInstanceOf(ServiceDefinitionException.class)
                .hasMessageContaining("add2");
        assertThatThrownBy(() -> node.client(KeylessCartClient.class)).isInstanceOf(ServiceDefinitionException.class)
                .hasMessageContaining("names no key, but service 'cart' is keyed")
                .hasMessageContaining("@Key").hasMessageContaining("node.client(KeylessCartClient.class, key)");
        assertThatThrownBy(() -> node.client(KeyInTheMiddle.class)).isInstanceOf(ServiceDefinitionException.class)
                .hasMessageContaining("@Key is on parameter 2; it must be on the first parameter");
        assertThatThrownBy(() -> node.client(PlainWithKey.class)).isInstanceOf(ServiceDefinitionException.class)
                .hasMessageContaining("service 'plain' is not keyed");
        assertThatThrownBy(() -> node.client(PlainClient.class, "k")).isInstanceOf(ServiceDefinitionException.class)
                .hasMessageContaining("bound to key 'k', but service 'plain'").hasMessageContaining("is not keyed");
        assertThatThrownBy(() -> node.client(GoodCartClient.class, "alice")).isInstanceOf(ServiceDefinitionException.class)
                .hasMessageContaining("this client is bound to key 'alice'");

        GoodCartClient carts = node.client(GoodCartClient.class);
        assertThatThrownBy(() -> carts.add(null, "x")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is null");
        assertThatThrownBy(() -> carts.add("", "x")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is empty");
        // The family's own name has no handlers: a call without a key is the caller's mistake, the family keeps running.
        Pid family = node.whereis("cart").orElseThrow();
        assertThat(node.client(KeylessCartClient.class, "k").add("x")).as("a bound client needs no @Key").isEqualTo(1);
        assertThatThrownBy(() -> node.call("cart", "hello")).isInstanceOf(ServiceDefinitionException.class)
                .hasMessageContaining("'cart' is a keyed service");
        assertThat(node.whereis("cart")).contains(family);
    }

    /** A cart whose items live in Kv, namespaced per key by the store. */
    @ResidentService("durableCart")
    public static final class DurableCart {
        private final Kv kv;
        private int count;

        public DurableCart(Kv kv) {
            this.kv = kv;
            this.count = kv.get("count", Integer.class).orElse(0);
        }

        public int add(String item) {
            kv.put("count", ++count);
            return count;
        }
    }

    @ServiceClient("durableCart")
    public interface DurableCartClient {
        int add(@Key String user, String item);
    }

    @Test
    void an_idle_key_stops_gracefully_and_its_next_call_starts_it_again_with_its_state_from_kv(@TempDir Path dir) {
        try (KvStore store = KvStore.embedded(dir)) {
            Kv kv = store.forCallingService();
            node.startSupervisor(SupervisorSpec.of("shop").withChildren(List.of(node.keyedService(
                    KeyedSpec.of(ServiceDefinition.of(DurableCart.class), () -> new DurableCart(kv))
                            .withIdleTimeout(Duration.ofMillis(200))))));
            DurableCartClient carts = node.client(DurableCartClient.class);
            assertThat(carts.add("alice", "a")).isEqualTo(1);
            assertThat(carts.add("alice", "b")).isEqualTo(2);
            assertThat(carts.add("bob", "c")).isEqualTo(1);
            Pid first = node.whereis("durableCart/alice").orElseThrow();

            assertThat(events.awaitExit(first)).isEqualTo(ExitReason.SHUTDOWN);
            await().atMost(WAIT).until(() -> node.keyedStats("durableCart").orElseThrow().liveKeys() == 0);
            assertThat(node.whereis("durableCart/alice")).isEmpty();
            assertThat(store.forComponent("durableCart/alice").get("count", Integer.class)).contains(2);
            assertThat(store.forComponent("durableCart/bob").get("count", Integer.class)).contains(1);

            assertThat(carts.add("alice", "c")).as("state back from Kv").isEqualTo(3);
            assertThat(node.whereis("durableCart/alice").orElseThrow().incarnation()).isGreaterThan(first.incarnation());
            KeyedStats stats = node.keyedStats("durableCart").orElseThrow();
            assertThat(stats.activations()).isEqualTo(3);
            assertThat(stats.idleStops()).isGreaterThanOrEqualTo(2);
            node.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void an_idle_stop_runs_the_stop_hook_and_leaves_nothing_of_the_key() {
        Cart.stopped.clear();
        startCart(cart().withIdleTimeout(Duration.ofMillis(100)));
        int names = node.runtime().rememberedNames();
        GoodCartClient carts = node.client(GoodCartClient.class);
        carts.add("idle-1", "x");
        carts.add("idle-2", "x");
        await().atMost(WAIT).until(() -> node.keyedStats("cart").orElseThrow().liveKeys() == 0
                && Cart.stopped.containsKey("idle-1") && Cart.stopped.containsKey("idle-2"));
        await().atMost(WAIT).until(() -> node.runtime().rememberedNames() == names);
        assertThat(carts.items("idle-1")).as("fresh in-memory state").isEmpty();
    }

    @Test
    void keys_busy_with_calls_never_stop_and_a_call_racing_an_idle_stop_reaches_the_next_incarnation() throws Exception {
        // State kept outside the instance, read at start and written per call: a lost call or two
        // incarnations of one key running at once would show as a wrong count.
        Map<String, Integer> durable = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        LongAdder overlaps = new LongAdder();
        node.startSupervisor(SupervisorSpec.of("shop").withChildren(List.of(node.keyedService(
                KeyedSpec.of(ServiceDefinition.of(Tally.class), () -> new Tally(durable, running, overlaps))
                        .withIdleTimeout(Duration.ofMillis(8))))));
        TallyClient tally = node.client(TallyClient.class);
        int threads = 8, calls = 300;
        List<Thread> ts = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            String key = "k" + (t % 4);
            ts.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < calls; i++) {
                        tally.bump(key);
                        if (i % 10 == 0) java.util.concurrent.locks.LockSupport.parkNanos(12_000_000); // let it go idle now and then
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : ts) t.join(Duration.ofSeconds(50));
        assertThat(failures).isEmpty();
        for (int k = 0; k < 4; k++) assertThat(durable.get("k" + k)).isEqualTo(2 * calls);
        assertThat(overlaps.sum()).as("two incarnations of one key at once").isZero();
        assertThat(node.keyedStats("tally").orElseThrow().idleStops()).as("the test did exercise idle stops").isPositive();
    }

    @ResidentService("tally")
    public static final class Tally {
        private final Map<String, Integer> durable;
        private final AtomicInteger running;
        private final LongAdder overlaps;
        private final String key = ProcessContext.key();
        private int count;

        Tally(Map<String, Integer> durable, Map<String, AtomicInteger> running, LongAdder overlaps) {
            this.durable = durable;
            this.running = running.computeIfAbsent(key, k -> new AtomicInteger());
            this.overlaps = overlaps;
            if (this.running.incrementAndGet() > 1) overlaps.increment();
            this.count = durable.getOrDefault(key, 0);
        }

        public int bump() {
            durable.put(key, ++count);
            return count;
        }

        @PreDestroy
        public void stop() {
            running.decrementAndGet();
        }
    }

    @ServiceClient("tally")
    public interface TallyClient {
        int bump(@Key String key);
    }

    @Test
    void a_key_that_crashes_on_every_message_escalates_nothing_but_itself() {
        Supervisor shop = startCart(cart().withIntensity(3, Duration.ofSeconds(30)));
        GoodCartClient carts = node.client(GoodCartClient.class);
        Pid family = node.whereis("cart").orElseThrow();
        carts.add("healthy", "x");
        Pid healthy = node.whereis("cart/healthy").orElseThrow();

        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> carts.boom("poison")).isInstanceOf(ProcessCrashedException.class);
            assertThat(carts.add("healthy", "y" + i)).as("other keys keep serving").isEqualTo(i + 2);
        }
        assertThat(shop.isAlive()).isTrue();
        assertThat(shop.gaveUp()).isFalse();
        assertThat(node.whereis("cart")).as("the family was never restarted").contains(family);
        assertThat(node.whereis("cart/healthy")).contains(healthy);
        assertThat(shop.snapshot().children().getFirst().restarts()).isZero();
        KeyedStats stats = node.keyedStats("cart").orElseThrow();
        assertThat(stats.gaveUp()).as("the poisoned key gave up on its own").isPositive();
        assertThat(stats.restarts()).isPositive();
    }

    @Test
    void a_crashed_key_restarts_fresh_per_its_restart_type() {
        startCart(cart());
        GoodCartClient carts = node.client(GoodCartClient.class);
        carts.add("a", "x");
        Pid first = node.whereis("cart/a").orElseThrow();
        assertThatThrownBy(() -> carts.boom("a")).isInstanceOf(ProcessCrashedException.class).hasRootCauseMessage("boom in a");
        // permanent: restarted at once, without waiting for a call
        await().atMost(WAIT).until(() -> node.whereis("cart/a").filter(p -> !p.equals(first)).isPresent());
        assertThat(carts.items("a")).as("fresh state").isEmpty();
        assertThat(node.keyedStats("cart").orElseThrow().restarts()).isEqualTo(1);
    }

    @Test
    void a_temporary_key_is_not_restarted_but_its_next_call_starts_it() {
        startCart(cart().withRestart(RestartType.TEMPORARY));
        GoodCartClient carts = node.client(GoodCartClient.class);
        carts.add("t", "x");
        Pid first = node.whereis("cart/t").orElseThrow();
        assertThatThrownBy(() -> carts.boom("t")).isInstanceOf(ProcessCrashedException.class);
        events.awaitExit(first);
        assertThat(node.keyedStats("cart").orElseThrow().liveKeys()).isZero();
        assertThat(carts.items("t")).isEmpty();
        assertThat(node.keyedStats("cart").orElseThrow().restarts()).isZero();
    }

    @Test
    void the_memory_cap_applies_per_key() {
        startCart(cart().withMaxMemoryBytes(256 * 1024));
        GoodCartClient carts = node.client(GoodCartClient.class);
        carts.add("small", "x");
        carts.add("big", "x");
        Pid big = node.whereis("cart/big").orElseThrow();
        carts.grow("big", 2048); // ~1 MB of state: measured between messages, crashed within about a second
        assertThat(events.awaitExit(big)).isInstanceOf(ExitReason.MemoryLimit.class);
        assertThat(carts.items("small")).containsExactly("x");
    }

    @Test
    void the_mailbox_capacity_applies_per_key() {
        startCart(cart().withMailboxCapacity(1));
        GoodCartClient carts = node.client(GoodCartClient.class);
        Cart.hold = new CountDownLatch(1);
        try {
            CompletableFuture<Void> held = carts.holdAsync("busy");          // being handled
            await().atMost(WAIT).until(() -> node.whereis("cart/busy").map(node::mailboxSize).orElse(-1) == 0);
            CompletableFuture<Integer> queued = carts.addAsync("busy", "x"); // waits in the mailbox
            await().atMost(WAIT).until(() -> node.mailboxSize(node.whereis("cart/busy").orElseThrow()) == 1);
            assertThatThrownBy(() -> carts.add("busy", "y")).isInstanceOf(MailboxFullException.class);
            assertThat(carts.add("other", "z")).as("another key has a mailbox of its own").isEqualTo(1);
            Cart.hold.countDown();
            held.join();
            assertThat(queued.join()).isEqualTo(1);
        } finally {
            Cart.hold.countDown();
        }
    }

    @Test
    void stopping_the_family_drains_every_key_and_killing_it_kills_them_at_once() {
        Cart.stopped.clear();
        Supervisor shop = startCart(cart());
        GoodCartClient carts = node.client(GoodCartClient.class);
        carts.add("s1", "x");
        carts.add("s2", "x");
        Pid s1 = node.whereis("cart/s1").orElseThrow();

        Pid family = node.whereis("cart").orElseThrow();
        node.kill(family);
        assertThat(node.isAlive(s1)).as("dead with its family, at once").isFalse();
        assertThat(Cart.stopped).as("a kill runs no stop hook").doesNotContainKey("s1");
        await().atMost(WAIT).until(() -> node.whereis("cart").filter(p -> !p.equals(family)).isPresent());
        assertThat(carts.items("s1")).isEmpty();

        carts.add("s3", "x");
        shop.stop();
        assertThat(Cart.stopped).containsKeys("s1", "s3");
        assertThat(node.processCount()).isZero();
        assertThatThrownBy(() -> carts.add("s4", "x")).isInstanceOf(NoProcessException.class);
    }

    @Test
    void sends_start_the_key_too() {
        startCart(cart());
        SendCart carts = node.client(SendCart.class);
        carts.add("sender", "x");
        await().atMost(WAIT).until(() -> node.client(GoodCartClient.class).items("sender").size() == 1);
    }

    @ServiceClient("cart")
    public interface SendCart {
        @Cast
        void add(@Key String user, String item);
    }

    @Test
    void a_dead_incarnation_cannot_call_a_key() throws InterruptedException {
        startCart(cart());
        // The keyed route is fenced like any other: a killed caller's call reaches nobody, not even a start.
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch killed = new CountDownLatch(1);
        Pid caller = node.spawn(message -> {
            inside.countDown();
            try {
                while (killed.getCount() > 0) Thread.onSpinWait(); // ignores its kill's interrupt
                node.client(GoodCartClient.class).add("fenced", "x");
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
            return null;
        });
        node.send(caller, "go");
        assertThat(inside.await(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)).isTrue();
        node.kill(caller);
        killed.countDown();
        assertThat(outcome.join()).isInstanceOf(FencedException.class);
        assertThat(node.whereis("cart/fenced")).isEmpty();
    }
}
