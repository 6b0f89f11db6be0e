package io.rusm.internal.process;

import io.rusm.CallInterruptedException;
import io.rusm.CallTimeoutException;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A call whose caller parks until the reply arrives. On a virtual thread the park releases the
 * carrier, so a blocked caller costs only its (small) heap stack.
 */
public final class SyncCall extends Call {
    private final Thread caller = Thread.currentThread();

    public SyncCall(Object message) {
        super(message);
    }

    @Override
    protected void onCompleted() {
        LockSupport.unpark(caller);
    }

    /**
     * Waits for the outcome until {@code deadlineNanos} (a {@link System#nanoTime()} value, or {@link Deadlines#NONE}), returns
     * the reply or throws the failure, {@link CallTimeoutException} or
     * {@link CallInterruptedException}.
     */
    public Object await(long deadlineNanos, String target, Duration timeout) throws Throwable {
        boolean interrupted = false;
        try {
            while (true) {
                Object o = outcome();
                if (o != null) return unwrap(o);
                if (deadlineNanos == Deadlines.NONE) {
                    LockSupport.park(this);
                } else {
                    long remaining = deadlineNanos - System.nanoTime();
                    if (remaining <= 0) {
                        if (abandon()) throw new CallTimeoutException(target, timeout);
                        continue; // the reply won the race: return it
                    }
                    LockSupport.parkNanos(this, remaining);
                }
                if (Thread.interrupted()) {
                    interrupted = true;
                    if (abandon()) throw new CallInterruptedException(target);
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    static Object unwrap(Object o) throws Throwable {
        if (o == NULL_REPLY) return null;
        if (o instanceof Failure f) throw f.error();
        return o;
    }
}
