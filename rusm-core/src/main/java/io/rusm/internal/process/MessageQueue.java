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
 */
abstract class MessageQueue {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(MessageQueue.class, "head", Node.class);
            TAIL = MethodHandles.lookup().findVarHandle(MessageQueue.class, "tail", Node.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One queued message; its value is null once taken or revoked (the head node always is). */
    static final class Node {
        private static final VarHandle VALUE;
        static {
            try {
                VALUE = MethodHandles.lookup().findVarHandle(Node.class, "value", Envelope.class);
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

    /** The last node taken (or the first, empty one): the queue is what follows it. */
    private volatile Node head;
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
            if (!HEAD.compareAndSet(this, h, n)) continue; // the other taker moved on: look again
            Envelope e = (Envelope) Node.VALUE.getAndSet(n, (Envelope) null);
            if (e != null) return e;
            // revoked by its producer: skip it
        }
    }

    /** Whether a node follows the head (its message may have been revoked since: a false yes is harmless). */
    final boolean hasNext() {
        return head.next != null;
    }
}
