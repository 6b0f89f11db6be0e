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
        MessageQueue.Node nb = q.enqueue(b);
        q.enqueue(c);
        assertThat(MessageQueue.revoke(nb)).isTrue();
        assertThat(MessageQueue.revoke(nb)).as("revoked once").isFalse();
        assertThat(q.dequeue()).isSameAs(a);
        assertThat(q.dequeue()).isSameAs(c);
        assertThat(q.dequeue()).isNull();

        MessageQueue.Node nd = q.enqueue(new Envelope("d", false));
        assertThat(q.dequeue()).isNotNull();
        assertThat(MessageQueue.revoke(nd)).as("already taken").isFalse();
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
                    MessageQueue.Node n = q.enqueue(e);
                    if (i % 7 == 0 && MessageQueue.revoke(n)) revoked.put(e, true); // some race the takers
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
