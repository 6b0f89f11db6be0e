package io.rusm.internal.process;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Multi-producer, single-consumer mailbox: a lock-free queue ({@link MessageQueue}), counts for
 * its size and capacity bound, and a park/unpark handshake with the one consumer fiber.
 *
 * <p>Lost wake-ups are impossible because both sides follow "publish, then check": a producer
 * enqueues and then reads the consumer's {@code state}; the consumer sets it and then looks at the
 * queue again before parking. With volatile accesses one of the two always sees the other.
 *
 * <p><b>Hibernation.</b> A consumer idle long enough ({@link Hibernation}) lets its fiber end, which
 * frees the fiber's stack, the largest part of an idle process. The same handshake covers it: the
 * consumer sets {@code ASLEEP} and looks at the queue again; a producer that finds {@code ASLEEP}
 * claims the wake-up ({@code ASLEEP → RUNNING}, one CAS, so exactly one of the producers and the
 * consumer takes it) and has the owner start a fiber.
 *
 * <p>Once {@link #close() closed} no new messages are accepted; what is queued may still be
 * drained (graceful stop) or {@link #drain() taken out} to be failed (crash, kill).
 */
public final class Mailbox extends MessageQueue implements SpinWait.Condition {
    private static final VarHandle OFFERED;
    private static final VarHandle STATE;
    private static final VarHandle PARKS;
    static {
        try {
            OFFERED = MethodHandles.lookup().findVarHandle(Mailbox.class, "offered", int.class);
            STATE = MethodHandles.lookup().findVarHandle(Mailbox.class, "state", int.class);
            PARKS = MethodHandles.lookup().findVarHandle(Mailbox.class, "parks", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        if (SpinWait.MISSES_TO_REST + SpinWait.REST > Byte.MAX_VALUE) throw new ExceptionInInitializerError("spin records no longer fit a byte");
    }

    /** Result of an offer. */
    public enum Offer { ACCEPTED, FULL, CLOSED }

    /** What {@link #take} returns when the consumer fiber is to end because its process hibernated. */
    static final Envelope HIBERNATED = new Envelope("<hibernated>", true);

    /** The consumer's states: its fiber runs, is parked in {@link #take}, or does not exist. */
    static final int RUNNING = 0, PARKED = 1, ASLEEP = 2;

    private final int capacity;
    private final Process owner;
    /**
     * Messages accepted so far (wrapping around); the size is this less the queue's {@link #taken()}.
     * Counted apart, so that the consumer, taking a message, writes nothing on the producers' line.
     */
    private volatile int offered;
    /**
     * Producers' last look at {@link #taken()}: a size measured against it is never too small, so
     * they look again only when it says the mailbox is full (racy: a stale value only means another look).
     */
    private int takenSeen;
    private volatile boolean closed;
    private volatile int state;
    /** Set by {@link Hibernation} for a consumer parked idle long enough: it ends its fiber when it wakes. */
    volatile boolean drowsy;
    /** Times the consumer came back from parking in {@link #take}: {@link Hibernation}'s sign of activity. */
    private int parks;
    /** {@link Hibernation}'s own: {@link #parks} at its last look, and looks in a row that found it unchanged. */
    int sweptParks, idleLooks;
    /**
     * {@link SpinWait}'s records: of the consumer's spins for the next message, and of callers' spins
     * for the owner's replies. Bytes (a record is at most {@code MISSES_TO_REST + REST}): with them
     * the mailbox is 136 bytes, not 144.
     */
    byte messageSpins, replySpins;

    /** The mailbox of {@code owner}, whose current fiber ({@link Process#fiber()}) is its consumer. */
    Mailbox(int capacity, Process owner) {
        this.capacity = capacity;
        this.owner = owner;
    }

    public int capacity() {
        return capacity;
    }

    public int size() {
        int o = offered;
        return Math.max(0, o - taken());
    }

    public boolean isClosed() {
        return closed;
    }

    public Offer offer(Envelope envelope) {
        if (closed) return Offer.CLOSED;
        int before = (int) OFFERED.getAndAdd(this, 1);
        if (!envelope.system && before - takenSeen >= capacity) {
            int taken = taken();
            takenSeen = taken;
            if (before - taken >= capacity) {
                OFFERED.getAndAdd(this, -1);
                return Offer.FULL;
            }
        }
        enqueue(envelope);
        if (closed && revoke(envelope)) {
            // Raced with close(): the envelope would otherwise sit in a dead mailbox.
            OFFERED.getAndAdd(this, -1);
            return Offer.CLOSED;
        }
        signal();
        return Offer.ACCEPTED;
    }

    /** After a message or the close was published: wakes the consumer, or its process if it hibernated. */
    private void signal() {
        int s = state;
        if (s == PARKED) {
            FiberWakeups.unpark(owner.fiber()); // from a plain thread it may be handed to a carrier
        } else if (s == ASLEEP && STATE.compareAndSet(this, ASLEEP, RUNNING)) {
            owner.wake();
        }
    }

    /** The consumer's look before it waits (spins, or falls asleep): a message or the close arrived. */
    @Override
    public boolean met() {
        return hasNext() || closed;
    }

    /**
     * The next message, parking the (consumer) fiber while the mailbox is empty. Returns null when
     * the mailbox is closed and empty, or when its process is over ({@link Process#isDead()}), and
     * {@link #HIBERNATED} when the fiber is to end with its process asleep (a message arriving from
     * then on starts a new one).
     */
    Envelope take() {
        while (true) {
            Envelope e = dequeue();
            if (e != null) return e;
            if (closed || owner.isDead()) return null;
            if (owner.hibernateLooks == 0) { // hibernate-after zero: let the fiber go whenever the mailbox is empty
                letGoOfLast();
                if (fallAsleep()) return HIBERNATED;
                continue;
            }
            if (spinForMessage()) continue;
            letGoOfLast(); // an idle process holds no message it has handled
            state = PARKED;
            e = dequeue();
            if (e != null || closed || owner.isDead()) {
                state = RUNNING;
                if (e != null) return e;
                return null;
            }
            FiberWakeups.park(this);
            PARKS.setOpaque(this, parks + 1);
            if (drowsy) {
                drowsy = false;
                if (fallAsleep()) return HIBERNATED;
            }
            state = RUNNING;
        }
    }

    /** The consumer spins for its next message if its recent spins say it pays: true when one (or the close) came. */
    private boolean spinForMessage() {
        int before = messageSpins, r = SpinWait.until(this, before);
        if (SpinWait.record(r) != before) messageSpins = (byte) SpinWait.record(r);
        return r == SpinWait.MET;
    }

    /** A caller of the owner spins for {@code reply} if recent callers' spins say it pays: true when it came. */
    boolean spinForReply(SyncCall reply) {
        int before = replySpins, r = SpinWait.until(reply, before);
        if (SpinWait.record(r) != before) replySpins = (byte) SpinWait.record(r); // written only on a change: many callers share it
        return r == SpinWait.MET;
    }

    /**
     * The consumer lets its fiber go ({@code → ASLEEP}), then looks again. True when the fiber
     * is to end: nothing came, or what came was claimed by a producer that starts a new fiber.
     * False (state back to {@code RUNNING}) when it took back a message or close that arrived.
     */
    private boolean fallAsleep() {
        state = ASLEEP; // only the consumer leaves RUNNING or PARKED
        if (!met()) return true; // neither a message nor the close came
        return !STATE.compareAndSet(this, ASLEEP, RUNNING);
    }

    /** Whether the consumer is parked in {@link #take} (for {@link Hibernation}: idle, not blocked in a handler). */
    boolean consumerParked() {
        return state == PARKED;
    }

    /** Whether the process is asleep: no fiber until a message comes. */
    boolean asleep() {
        return state == ASLEEP;
    }

    int parks() {
        return (int) PARKS.getOpaque(this);
    }

    /** Asks the parked consumer to end its fiber: it does when it wakes, unless a message is there. */
    void askToSleep() {
        drowsy = true;
        Thread t = owner.fiber();
        if (t != null) java.util.concurrent.locks.LockSupport.unpark(t); // not urgent: the external queue is fine
    }

    /** Stops accepting messages and wakes the consumer (or its hibernated process) so it notices. */
    public void close() {
        closed = true;
        if (state == ASLEEP) signal();
        else FiberWakeups.unpark(owner.fiber());
    }

    /** Takes out everything queued (after close), for failing pending calls. */
    public List<Envelope> drain() {
        List<Envelope> out = new ArrayList<>();
        for (Envelope e; (e = dequeue()) != null; ) out.add(e);
        return out;
    }
}
