package io.rusm.internal.process;

import io.rusm.CallInterruptedException;
import io.rusm.CallTimeoutException;

import java.time.Duration;

/**
 * A call whose caller parks until the reply arrives. On a virtual thread the park releases the
 * carrier, so a blocked caller costs only its (small) heap stack. The park has no timeout: while
 * it waits, the call is linked into {@link CallDeadlines}, which wakes the caller once its deadline
 * has passed (cheaper than a timed park, which schedules and cancels a JDK timer task per call).
 */
public final class SyncCall extends Call implements SpinWait.Condition {
    final Thread caller = Thread.currentThread();
    /** When the caller gives up ({@link System#nanoTime()}); set before it is linked. */
    long deadline;
    /** Links in its {@link CallDeadlines} slot, guarded by the slot. */
    SyncCall prevWaiting;
    SyncCall nextWaiting;
    boolean waiting;

    public SyncCall(Object message) {
        super(message);
    }

    @Override
    protected void onCompleted() {
        FiberWakeups.unpark(caller);
    }

    /**
     * Waits for the outcome until {@code deadlineNanos} (a {@link System#nanoTime()} value, or {@link Deadlines#NONE}), returns
     * the reply or throws the failure, {@link CallTimeoutException} or
     * {@link CallInterruptedException}. {@code from} is the callee's mailbox, which keeps the record of
     * how its callers' spins for a reply went ({@link SpinWait}).
     */
    public Object await(long deadlineNanos, Mailbox from, String target, Duration timeout) throws Throwable {
        Object o = outcome();
        if (o != null) return unwrap(o); // answered before the caller got here: nothing to wait for
        // Spin before the deadline is linked into the wheel: a reply within the spin (a few µs, far
        // below the wheel's millisecond) costs no registration. Only the first wait spins.
        if (from.spinForReply(this)) return unwrap(outcome());
        boolean timed = deadlineNanos != Deadlines.NONE;
        if (timed) {
            deadline = deadlineNanos;
            CallDeadlines.INSTANCE.register(this);
        }
        boolean interrupted = false;
        try {
            while (true) {
                o = outcome();
                if (o != null) return unwrap(o);
                if (timed && deadlineNanos - System.nanoTime() <= 0) {
                    if (abandon()) throw new CallTimeoutException(target, timeout);
                    continue; // the reply won the race: return it
                }
                FiberWakeups.park(this);
                if (Thread.interrupted()) {
                    interrupted = true;
                    if (abandon()) throw new CallInterruptedException(target);
                }
            }
        } finally {
            if (timed) CallDeadlines.INSTANCE.unregister(this);
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** For {@link SpinWait}: the reply or failure is there. */
    @Override
    public boolean met() {
        return outcome() != null;
    }

    static Object unwrap(Object o) throws Throwable {
        if (o == NULL_REPLY) return null;
        if (o instanceof Failure f) throw f.error();
        return o;
    }
}
