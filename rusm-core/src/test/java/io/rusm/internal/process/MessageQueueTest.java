package io.rusm.internal.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mailbox's queue on its own, as the process's ending uses it: producers adding and some
 * revoking what they added, while two takers (the fiber and the ending's drain) take at once.
 * Every message is taken exactly once unless its producer revoked it, and a revoked one never is.
 */
@Timeout(60)
class MessageQueueTest {

    static final class Queue extends MessageQueue {}

    @Test
    void one_producer_one_taker_keeps_fifo_order() {
        Queue q = new Queue();
        assertThat(q.dequeue()).isNull();
        assertThat(q.hasNext()).isFalse();
        List<Envelope> sent = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Envelope e = new Envelope(i, false);
            sent.add(e);
            q.enqueue(e);
        }
        assertThat(q.hasNext()).isTrue();
        for (Envelope e : sent) assertThat(q.dequeue()).isSameAs(e);
        assertThat(q.dequeue()).isNull();
        assertThat(q.hasNext()).isFalse();
    }

    @Test
    void a_revoked_message_is_skipped_and_a_taken_one_cannot_be_revoked() {
        Queue q = new Queue();
        Envelope a = new Envelope("a", false), b = new Envelope("b", false), c = new Envelope("c", false);
        q.enqueue(a);
        q.enqueue(b);
        q.enqueue(c);
        assertThat(q.revoke(b)).isTrue();
        assertThat(q.revoke(b)).as("revoked once").isFalse();
        assertThat(q.dequeue()).isSameAs(a);
        assertThat(q.dequeue()).isSameAs(c);
        assertThat(q.dequeue()).isNull();

        Envelope d = new Envelope("d", false);
        q.enqueue(d);
        assertThat(q.dequeue()).isSameAs(d);
        assertThat(q.revoke(d)).as("already taken").isFalse();
    }

    @Test
    void an_idle_consumer_holds_no_message_it_took() {
        Queue q = new Queue();
        Envelope a = new Envelope("a", false);
        q.enqueue(a);
        assertThat(q.dequeue()).isSameAs(a);
        assertThat(q.head).as("the message being handled is the head").isSameAs(a);
        q.letGoOfLast();
        assertThat(q.head).as("back to the stub").isNotSameAs(a);
        assertThat(q.head.message()).isNull();
        assertThat(a.next).as("nothing of the queue reachable from it").isIn(null, a);
        assertThat(q.hasNext()).isFalse();

        Envelope b = new Envelope("b", false), c = new Envelope("c", false);
        q.enqueue(b);
        q.letGoOfLast(); // a message is there: nothing to let go of
        q.enqueue(c);
        assertThat(q.dequeue()).isSameAs(b);
        assertThat(q.dequeue()).isSameAs(c);
        assertThat(q.dequeue()).isNull();
        q.letGoOfLast();
        q.letGoOfLast(); // twice in a row: still the stub
        assertThat(q.dequeue()).isNull();
        Envelope d = new Envelope("d", false);
        q.enqueue(d);
        assertThat(q.dequeue()).isSameAs(d);
    }

    @Test
    void letting_go_between_takes_races_producers_without_losing_or_repeating_a_message() throws Exception {
        int producers = 3, perProducer = 100_000;
        Queue q = new Queue();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            threads.add(Thread.ofPlatform().start(() -> {
                await(go);
                for (int i = 0; i < perProducer; i++) {
                    q.enqueue(new Envelope(new int[] {id, i}, false));
                    if (i % 64 == 0) Thread.yield(); // let the queue run empty now and then
                }
            }));
        }
        int[] next = new int[producers];
        int total = producers * perProducer, got = 0;
        go.countDown();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (got < total && System.nanoTime() < deadline) {
            Envelope e = q.dequeue();
            if (e == null) {
                q.letGoOfLast(); // on every empty look: the swap races the producers' exchanges
                continue;
            }
            int[] m = (int[]) e.message();
            assertThat(m[1]).as("producer %d in order, none lost or repeated", m[0]).isEqualTo(next[m[0]]);
            next[m[0]]++;
            got++;
        }
        for (Thread t : threads) t.join(30_000);
        assertThat(got).isEqualTo(total);
        assertThat(q.dequeue()).isNull();
    }

    @Test
    void producers_revokers_and_two_takers_at_once_lose_nothing_and_take_nothing_twice() throws Exception {
        int producers = 4, perProducer = 50_000;
        Queue q = new Queue();
        ConcurrentHashMap<Envelope, Boolean> revoked = new ConcurrentHashMap<>();
        ConcurrentHashMap<Envelope, String> taken = new ConcurrentHashMap<>();
        AtomicInteger takenTwice = new AtomicInteger();
        AtomicBoolean producing = new AtomicBoolean(true);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<Envelope> all = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int p = 0; p < producers; p++) {
            int id = p;
            threads.add(Thread.ofPlatform().start(() -> {
                await(go);
                List<Envelope> mine = new ArrayList<>(perProducer);
                for (int i = 0; i < perProducer; i++) {
                    Envelope e = new Envelope(id * perProducer + i, false);
                    mine.add(e);
                    q.enqueue(e);
                    if (i % 7 == 0 && q.revoke(e)) revoked.put(e, true); // some race the takers
                }
                all.addAll(mine);
            }));
        }
        List<Thread> takers = new ArrayList<>();
        for (String name : List.of("fiber", "drain")) {
            takers.add(Thread.ofPlatform().start(() -> {
                await(go);
                while (true) {
                    Envelope e = q.dequeue();
                    if (e == null) {
                        if (name.equals("fiber")) q.letGoOfLast(); // as the fiber does before it parks
                        if (!producing.get() && !q.hasNext()) return;
                        Thread.onSpinWait();
                        continue;
                    }
                    if (taken.putIfAbsent(e, name) != null) takenTwice.incrementAndGet();
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) t.join(30_000);
        producing.set(false);
        for (Thread t : takers) t.join(30_000);
        for (Thread t : threads) assertThat(t.isAlive()).isFalse();
        for (Thread t : takers) assertThat(t.isAlive()).isFalse();

        assertThat(takenTwice).hasValue(0);
        assertThat(all).hasSize(producers * perProducer);
        for (Envelope e : all) {
            boolean wasRevoked = revoked.containsKey(e);
            assertThat(taken.containsKey(e)).as("%s taken (revoked: %s)", e.message(), wasRevoked).isNotEqualTo(wasRevoked);
        }
        assertThat(q.dequeue()).isNull();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, java.util.concurrent.TimeUnit.SECONDS)) throw new AssertionError("never started");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
