package io.rusm.internal.process;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The lock-free queue under a {@link Mailbox}: a linked list with one atomic exchange per message
 * on the producers' end (Vyukov's multi-producer queue, as Pekko's mailbox queue and JCTools'
 * linked queues are built), where {@code ConcurrentLinkedQueue} retries compare-and-sets along a
 * tail it shares with the consumer: under a busy sender that was half of the sender's time
 * (JFR, {@code CastBench}). A superclass rather than a field, so a mailbox is one object.
 *
 * <p>Two things a plain single-consumer queue lacks, both for a process's ending. Taking is safe
 * from two threads at once (the fiber, and the thread that ends the process and
 * {@linkplain Mailbox#drain() drains} the rest): each message is claimed by one atomic swap of its
 * node's value. And a producer can {@linkplain #revoke take back} the message it just added, when
 * it finds the mailbox closed after adding it: the consumer skips a revoked node.
 *
 * <p><b>Two ends, two cache lines.</b> What the consumer writes for every message (its
 * {@code head}, its count of messages {@code taken}, the message it handles) sits in the superclass
 * {@link QueueConsumerEnd}, 64 bytes of padding ({@link QueuePadding}) away from what producers
 * write and read for every message (the {@code tail}, and the mailbox's fields below it). Without
 * it each message moved that line between the two cores twice (JFR: the sender stalled on the
 * mailbox's state right after the consumer's write). Superclass fields come first in an object's
 * layout, so the padding holds. It costs 64 bytes per mailbox.
 */
abstract class MessageQueue extends QueuePadding {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle TAKEN;
    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(QueueConsumerEnd.class, "head", Node.class);
            TAKEN = MethodHandles.lookup().findVarHandle(QueueConsumerEnd.class, "taken", int.class);
            TAIL = MethodHandles.lookup().findVarHandle(MessageQueue.class, "tail", Node.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One queued message; its value is null once taken or revoked (the head node always is). */
    static final class Node {
        private static final VarHandle VALUE;
        private static final VarHandle NEXT;
        static {
            try {
                VALUE = MethodHandles.lookup().findVarHandle(Node.class, "value", Envelope.class);
                NEXT = MethodHandles.lookup().findVarHandle(Node.class, "next", Node.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private Envelope value;
        private volatile Node next;

        Node(Envelope value) {
            this.value = value;
        }
    }

    /** The last node added; producers swap themselves in here. */
    private volatile Node tail;

    MessageQueue() {
        Node empty = new Node(null);
        head = empty;
        tail = empty;
    }

    /** Adds {@code e} at the end; returns its node, for {@link #revoke}. */
    final Node enqueue(Envelope e) {
        Node n = new Node(e);
        Node prev = (Node) TAIL.getAndSet(this, n);
        // Volatile: the producer reads the mailbox's closed flag next, the closing side set it before it drains.
        prev.next = n;
        return n;
    }

    /** Takes {@code n}'s message back if nobody took it yet: true when it did (it will never be taken). */
    static boolean revoke(Node n) {
        return Node.VALUE.getAndSet(n, (Envelope) null) != null;
    }

    /**
     * The next message, or null if none is there. A message whose producer has swapped in its node
     * but not yet linked it is not there yet: that producer checks the mailbox's state after linking,
     * as after any add.
     */
    final Envelope dequeue() {
        while (true) {
            Node h = head;
            Node n = h.next;
            if (n == null) return null;
            if (n == h || !HEAD.compareAndSet(this, h, n)) continue; // the other taker moved on: look again
            // The node left behind points at itself, not at the queue: promoted to the old
            // generation before it died, it would keep every later node alive through young GCs.
            Node.NEXT.setRelease(h, h);
            Envelope e = (Envelope) Node.VALUE.getAndSet(n, (Envelope) null);
            if (e != null) {
                TAKEN.getAndAdd(this, 1); // atomic for the two takers; on the consumer's own line
                return e;
            }
            // revoked by its producer: skip it
        }
    }

    /** Messages taken so far (wrapping around: only differences of it count). */
    final int taken() {
        return taken;
    }

    /** Whether a node follows the head (its message may have been revoked since: a false yes is harmless). */
    final boolean hasNext() {
        return head.next != null;
    }
}

/** The consumer's end of a {@link MessageQueue}: written for every message taken, by the consumer only (and a drain). */
abstract class QueueConsumerEnd {
    /** The last node taken (or the first, empty one): the queue is what follows it. */
    volatile MessageQueue.Node head;
    /** Messages taken so far. */
    volatile int taken;
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
