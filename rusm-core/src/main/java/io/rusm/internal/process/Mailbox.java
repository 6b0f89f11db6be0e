package io.rusm.internal.process;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Multi-producer, single-consumer mailbox: a lock-free queue, a size counter for the capacity
 * bound, and a park/unpark handshake with the one consumer fiber.
 *
 * <p>Lost wake-ups are impossible because both sides follow "publish, then check": a producer
 * enqueues and then reads {@code parked}; the consumer sets {@code parked} and then polls again
 * before parking. With volatile accesses one of the two always sees the other.
 *
 * <p>Once {@link #close() closed} no new messages are accepted; what is queued may still be
 * drained (graceful stop) or {@link #drain() taken out} to be failed (crash, kill).
 */
public final class Mailbox {
    private static final VarHandle SIZE;
    static {
        try {
            SIZE = MethodHandles.lookup().findVarHandle(Mailbox.class, "size", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Result of an offer. */
    public enum Offer { ACCEPTED, FULL, CLOSED }

    private final ConcurrentLinkedQueue<Envelope> queue = new ConcurrentLinkedQueue<>();
    private final int capacity;
    private volatile int size;
    private volatile boolean closed;
    private volatile boolean parked;
    private volatile Thread consumer;

    public Mailbox(int capacity) {
        this.capacity = capacity;
    }

    void bindConsumer(Thread thread) {
        this.consumer = thread;
    }

    public int capacity() {
        return capacity;
    }

    public int size() {
        return Math.max(0, size);
    }

    public boolean isClosed() {
        return closed;
    }

    public Offer offer(Envelope envelope) {
        if (closed) return Offer.CLOSED;
        int before = (int) SIZE.getAndAdd(this, 1);
        if (before >= capacity && !envelope.system) {
            SIZE.getAndAdd(this, -1);
            return Offer.FULL;
        }
        queue.offer(envelope);
        if (closed && queue.remove(envelope)) {
            // Raced with close(): the envelope would otherwise sit in a dead mailbox.
            SIZE.getAndAdd(this, -1);
            return Offer.CLOSED;
        }
        if (parked) {
            FiberWakeups.unpark(consumer); // from a plain thread it may be handed to a carrier
        }
        return Offer.ACCEPTED;
    }

    /** The next message without waiting, or null. */
    public Envelope poll() {
        Envelope e = queue.poll();
        if (e != null) SIZE.getAndAdd(this, -1);
        return e;
    }

    /**
     * The next message, parking the (consumer) fiber while the mailbox is empty. Returns null when
     * the mailbox is closed and empty, or when {@code stop} says the process is over.
     */
    public Envelope take(java.util.function.BooleanSupplier stop) {
        while (true) {
            Envelope e = poll();
            if (e != null) return e;
            if (closed || stop.getAsBoolean()) return null;
            parked = true;
            try {
                e = poll();
                if (e != null) return e;
                if (closed || stop.getAsBoolean()) return null;
                FiberWakeups.park(this);
            } finally {
                parked = false;
            }
        }
    }

    /** Stops accepting messages and wakes the consumer so it notices. */
    public void close() {
        closed = true;
        FiberWakeups.unpark(consumer);
    }

    /** Takes out everything queued (after close), for failing pending calls. */
    public List<Envelope> drain() {
        List<Envelope> out = new ArrayList<>();
        for (Envelope e; (e = poll()) != null; ) out.add(e);
        return out;
    }
}
