package io.rusm.internal.process;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A request that expects a reply. Completion happens exactly once (CAS on {@code outcome}): the
 * first of reply, failure, timeout or abandonment wins and every later attempt is a no-op. That is
 * what guarantees a late reply is discarded and never reaches a later call: each call has its own
 * slot.
 */
public abstract class Call extends Envelope {
    private static final VarHandle OUTCOME;
    static {
        try {
            OUTCOME = MethodHandles.lookup().findVarHandle(Call.class, "outcome", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Wraps a failure so it can sit in {@code outcome} beside ordinary values. */
    record Failure(Throwable error) {}

    static final Object NULL_REPLY = new Object();
    static final Object ABANDONED = new Object();

    private volatile Object outcome;

    protected Call(Object message) {
        super(message, false);
    }

    /** Delivers the reply; false if the call already ended (timed out, failed, abandoned). */
    public final boolean reply(Object value) {
        if (OUTCOME.compareAndSet(this, null, value == null ? NULL_REPLY : value)) {
            onCompleted();
            return true;
        }
        return false;
    }

    /** Fails the call; false if it already ended. */
    public final boolean fail(Throwable error) {
        if (OUTCOME.compareAndSet(this, null, new Failure(error))) {
            onCompleted();
            return true;
        }
        return false;
    }

    /** Gives the call up from the caller's side; false if an outcome arrived first. */
    protected final boolean abandon() {
        return OUTCOME.compareAndSet(this, null, ABANDONED);
    }

    protected final Object outcome() {
        return outcome;
    }

    /** Hook for the waiting side: wake the caller or complete its future. */
    protected abstract void onCompleted();
}
