package io.rusm.kv;

import io.rusm.Behavior;
import io.rusm.FencedException;
import io.rusm.Kv;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.SpawnOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.h2.jdbcx.JdbcConnectionPool;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dead means dead for {@code Kv}: an incarnation that was killed while its handler ignored the
 * interrupt must not write next to its successor — neither a write it starts after its end nor one
 * already queued in the group-commit writer when it ended.
 */
@Timeout(60)
class KvFencingTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private final Node node = Node.create();
    private KvStore store;

    private JdbcConnectionPool pool;

    @AfterEach
    void close() {
        node.close();
        if (store != null) store.close();
        if (pool != null) pool.dispose();
    }

    private JdbcConnectionPool h2() {
        pool = JdbcConnectionPool.create("jdbc:h2:mem:fence-" + UUID.randomUUID(), "sa", "");
        return pool;
    }

    /** A teller whose withdrawal reads the balance, then waits ignoring interrupts, then writes it back. */
    static final class Teller implements Behavior {
        final Kv kv;
        final CountDownLatch read = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);
        final CompletableFuture<Throwable> outcome = new CompletableFuture<>();

        Teller(Kv kv) {
            this.kv = kv;
        }

        @Override
        public Object handle(Object message) {
            switch ((String) message) {
                case "withdraw30" -> {
                    long balance = kv.get("balance", Long.class).orElseThrow();
                    read.countDown();
                    awaitIgnoringInterrupts(resume);
                    try {
                        kv.put("balance", balance - 30);
                        outcome.complete(null);
                    } catch (Throwable t) {
                        outcome.complete(t);
                    }
                }
                case "put70" -> {
                    try {
                        kv.put("balance", 70L);
                        outcome.complete(null);
                    } catch (Throwable t) {
                        outcome.complete(t);
                    }
                    awaitIgnoringInterrupts(resume); // keeps the dead fiber running after its put
                }
                case "set500" -> kv.put("balance", 500L);
                case "read" -> {
                    return kv.get("balance", Long.class).orElseThrow();
                }
                default -> throw new IllegalArgumentException(String.valueOf(message));
            }
            return "ok";
        }
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                if (latch.await(100, TimeUnit.MILLISECONDS)) return;
            } catch (InterruptedException ignored) {
                // this handler ignores its kill, as a careless one would
            }
        }
    }

    @Test
    void a_killed_handlers_read_modify_write_is_fenced_and_the_successors_value_stays() {
        store = KvStore.embedded(dir);
        store.forComponent("account").put("balance", 100L);
        Teller old = new Teller(store.forCallingService());
        Pid first = node.spawn(SpawnOptions.named("account"), old);
        node.send(first, "withdraw30");
        awaitLatch(old.read);

        node.kill(first);
        Teller successor = new Teller(store.forCallingService());
        Pid second = node.spawn(SpawnOptions.named("account"), successor);
        assertThat(second).isNotEqualTo(first);
        node.call(second, "set500");
        old.resume.countDown(); // the dead handler now writes 100 - 30

        assertThat(old.outcome).succeedsWithin(WAIT).isInstanceOf(FencedException.class)
                .satisfies(t -> assertThat(((FencedException) t).pid()).isEqualTo(first));
        assertThat(store.forComponent("account").get("balance", Long.class)).contains(500L);
        assertThat((Long) node.call(second, "read")).isEqualTo(500L);
    }

    /** The fence is in the writer, not in a backend: the JDBC store gets it too. */
    @ParameterizedTest(name = "{0} store")
    @ValueSource(strings = {"embedded", "jdbc"})
    void a_put_queued_in_the_writer_when_its_incarnation_ends_is_fenced_at_commit(String kind) throws Exception {
        HeldBackend backend = new HeldBackend(kind.equals("jdbc") ? JdbcBackend.open(h2()) : MvStoreBackend.open(dir));
        store = KvStore.over(backend);
        store.forComponent("account").put("balance", 100L);
        Teller old = new Teller(store.forCallingService());
        Pid first = node.spawn(SpawnOptions.named("account"), old);

        backend.hold = true;
        node.send(first, "put70");
        awaitLatch(backend.holding); // the committer took the put out of the queue and waits to commit it
        // The committer may be the put's own fiber (the embedded store's caller commit): its kill
        // still takes effect at once, leaving only the interrupt to the commit's end.
        node.kill(first);
        assertThat(node.isAlive(first)).as("dead at once, the commit still held").isFalse();
        backend.release.countDown();

        assertThat(old.outcome).succeedsWithin(WAIT).isInstanceOf(FencedException.class);
        assertThat(store.forComponent("account").get("balance", Long.class)).as("the dead put took no effect").contains(100L);
        Pid second = node.spawn(SpawnOptions.named("account"), new Teller(store.forCallingService()));
        node.call(second, "set500");
        assertThat(store.forComponent("account").get("balance", Long.class)).contains(500L);
        old.resume.countDown();
    }

    @Test
    void every_kv_operation_of_an_ended_incarnation_fails_fenced() {
        store = KvStore.embedded(dir);
        Kv kv = store.forCallingService();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch killed = new CountDownLatch(1);
        CompletableFuture<List<Throwable>> failures = new CompletableFuture<>();
        Pid pid = node.spawn(SpawnOptions.named("ghost"), message -> {
            running.countDown();
            awaitIgnoringInterrupts(killed);
            failures.complete(List.of(
                    caught(() -> kv.get("k", String.class)),
                    caught(() -> kv.put("k", "v")),
                    caught(() -> kv.delete("k")),
                    caught(() -> kv.keys(""))));
            return null;
        });
        node.send(pid, "go");
        awaitLatch(running);
        node.kill(pid);
        killed.countDown();
        assertThat(failures).succeedsWithin(WAIT).satisfies(list ->
                assertThat(list).allSatisfy(t -> assertThat(t).isInstanceOf(FencedException.class)));
        assertThat(store.forComponent("ghost").keys("")).isEmpty();
    }

    private static Throwable caught(Runnable r) {
        try {
            r.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        await().atMost(WAIT).until(() -> latch.getCount() == 0);
    }

    /** Delegates, but once {@link #hold} is set, the committer's next transaction waits for {@link #release}. */
    static final class HeldBackend extends ForwardingBackend {
        volatile boolean hold;
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        HeldBackend(Backend delegate) {
            super(delegate);
        }

        @Override
        public Transaction begin() throws Exception {
            if (hold) {
                hold = false;
                holding.countDown();
                if (!release.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("never released");
            }
            return delegate.begin();
        }
    }
}
