package io.rusm.internal.process;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The queue under a {@link Mailbox}: a linked list of the envelopes themselves (each is its own
 * link, so a message costs one object), with one atomic exchange per message on the producers' end
 * (Vyukov's multi-producer queue, as Pekko's mailbox queue and JCTools' linked queues are built),
 * where {@code ConcurrentLinkedQueue} retries compare-and-sets along a tail it shares with the
 * consumer: under a busy sender that was half of the sender's time (JFR, {@code CastBench}). A
 * superclass rather than a field, so a mailbox is one object.
 *
 * <p>Two things a plain single-consumer queue lacks, both for a process's ending. Taking is safe
 * from two threads at once (the fiber, and the thread that ends the process and
 * {@linkplain Mailbox#drain() drains} the rest): takers take turns under a lock of their own (one
 * compare-and-set; neither side blocks inside it), so each message is taken once. And a producer
 * can {@linkplain #revoke take back} the message it just added, when it finds the mailbox closed
 * after adding it: under the same lock it marks it, and takers skip it.
 *
 * <p>The head is the last message taken: the queue is what follows it. So that a consumer idle for
 * long does not keep its last message (and a call's reply) alive, it {@linkplain #letGoOfLast puts
 * a stub} of its own back at the head before it parks: that costs an exchange on the producers'
 * end once per park, not per message.
 *
 * <p><b>Two ends, two cache lines.</b> What the consumer writes for every message (its
 * {@code head}, its count of messages {@code taken}, its lock, the message it handles) sits in the
 * superclass {@link QueueConsumerEnd}, 64 bytes of padding ({@link QueuePadding}) away from what
 * producers write and read for every message (the {@code tail}, and the mailbox's fields below it).
 * Without it each message moved that line between the two cores twice (JFR: the sender stalled on
 * the mailbox's state right after the consumer's write). Superclass fields come first in an
 * object's layout, so the padding holds. It costs 64 bytes per mailbox.
 */
abstract class MessageQueue extends QueuePadding {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle TAKEN;
    private static final VarHandle TAKERS;
    private static final VarHandle NEXT;
    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(QueueConsumerEnd.class, "head", Envelope.class);
            TAKEN = lookup.findVarHandle(QueueConsumerEnd.class, "taken", int.class);
            TAKERS = lookup.findVarHandle(QueueConsumerEnd.class, "takers", int.class);
            TAIL = lookup.findVarHandle(MessageQueue.class, "tail", Envelope.class);
            NEXT = lookup.findVarHandle(Envelope.class, "next", Envelope.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** {@link Envelope#queueState}: still in the queue, taken by a taker, or taken back by its producer. */
    private static final byte QUEUED = 0, TAKEN_OUT = 1, REVOKED = 2;

    /** The head while no message taken is held: never handed out, put back by {@link #letGoOfLast}. */
    private final Envelope stub = new Envelope(null, true);
    /** The last envelope added; producers swap themselves in here. */
    private volatile Envelope tail;

    MessageQueue() {
        head = stub;
        tail = stub;
    }

    /** Adds {@code e} (never queued before) at the end. */
    final void enqueue(Envelope e) {
        Envelope prev = (Envelope) TAIL.getAndSet(this, e);
        // Volatile: the producer reads the mailbox's closed flag next, the closing side set it before it drains.
        prev.next = e;
    }

    /** Takes {@code e} (added here) back if nobody took it yet: true when it did (it will never be taken). */
    final boolean revoke(Envelope e) {
        lockTakers();
        try {
            if (e.queueState != QUEUED) return false;
            e.queueState = REVOKED;
            return true;
        } finally {
            unlockTakers();
        }
    }

    /**
     * The next message, or null if none is there. A message whose producer has swapped it in
     * but not yet linked it is not there yet: that producer checks the mailbox's state after linking,
     * as after any add.
     */
    final Envelope dequeue() {
        lockTakers();
        try {
            while (true) {
                Envelope h = head;
                Envelope n = h.next;
                if (n == null) return null;
                HEAD.setRelease(this, n);
                // The envelope left behind points at itself, not at the queue: promoted to the old
                // generation before it died, it would keep every later message alive through young GCs.
                NEXT.setRelease(h, h);
                if (n.queueState == REVOKED) continue;
                n.queueState = TAKEN_OUT;
                TAKEN.setRelease(this, taken + 1); // on the consumer's own line; producers only read it
                return n;
            }
        } finally {
            unlockTakers();
        }
    }

    /**
     * The consumer's step before it parks or sleeps with nothing queued: the stub goes back to the
     * head, so the last message taken (and a call's reply) is no longer held. Nothing happens if a
     * message came meanwhile.
     */
    final void letGoOfLast() {
        lockTakers();
        try {
            Envelope h = head;
            if (h == stub || h.next != null) return;
            NEXT.setRelease(stub, (Envelope) null);
            // Only if no producer swapped itself in after h: one that did links to h and is taken as usual.
            if (TAIL.compareAndSet(this, h, stub)) HEAD.setRelease(this, stub);
        } finally {
            unlockTakers();
        }
    }

    private void lockTakers() {
        if (!TAKERS.compareAndSet(this, 0, 1)) lockTakersContended();
    }

    /** The other taker is inside: a few instructions that never block, so spin, then yield (its carrier may be descheduled). */
    private void lockTakersContended() {
        for (int spins = 0; !TAKERS.compareAndSet(this, 0, 1); spins++) {
            if (spins < 100) Thread.onSpinWait();
            else Thread.yield();
        }
    }

    private void unlockTakers() {
        TAKERS.setRelease(this, 0);
    }

    /** Messages taken so far (wrapping around: only differences of it count). */
    final int taken() {
        return taken;
    }

    /**
     * Whether a message follows the head (it may have been revoked since: a false yes is harmless).
     * The consumer's own look: while the other taker moves the head it may answer either way, which
     * happens only once the mailbox is closed.
     */
    final boolean hasNext() {
        return head.next != null;
    }
}

/** The consumer's end of a {@link MessageQueue}: written for every message taken, by the consumer only (and a drain). */
abstract class QueueConsumerEnd {
    /** The last message taken (or the queue's stub): the queue is what follows it. Written under the takers' lock. */
    volatile Envelope head;
    /** Messages taken so far. Written under the takers' lock. */
    volatile int taken;
    /** The takers' lock (1 while one of them is inside: {@link MessageQueue#dequeue}). */
    volatile int takers;
    /**
     * The message the consumer is handling, or null: its {@link Process}'s, here because it is set
     * and cleared for every message (and it fills the gap before the padding, which a subclass
     * field would otherwise be laid out in, on this line).
     */
    volatile Envelope current;
}

/** 64 bytes between a {@link MessageQueue}'s consumer end and its producers' end (see there). */
abstract class QueuePadding extends QueueConsumerEnd {
    long pad0, pad1, pad2, pad3, pad4, pad5, pad6, pad7;
}
