package io.rusm.internal.process;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A call whose outcome completes a future instead of waking a parked caller.
 *
 * <p>The future is always completed from a fresh virtual thread, never from the thread that set the
 * outcome: that thread may be the callee's fiber (replying), a killer inside a termination, or the
 * timeout timer, and the caller's dependent stages ({@code whenComplete}, {@code thenApply}, ...)
 * must neither block nor call back into any of them — a kill never waits on user code.
 *
 * <p>The timeout is one task on a shared timer with remove-on-cancel: an answered call cancels it,
 * so it holds no timer, request or reply until its deadline.
 */
public final class AsyncCall extends Call {
    private static final ThreadFactory COMPLETIONS = Thread.ofVirtual().name("rusm-async-reply").factory();

    /** One daemon timer for every node's async-call deadlines; cancelled tasks leave its queue at once. */
    private static final class Timer {
        static final ScheduledThreadPoolExecutor INSTANCE = create();

        private static ScheduledThreadPoolExecutor create() {
            ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1,
                    Thread.ofPlatform().daemon().name("rusm-call-timeouts").factory());
            t.setRemoveOnCancelPolicy(true);
            return t;
        }
    }

    private final CompletableFuture<Object> future;
    private volatile ScheduledFuture<?> timeout;

    public AsyncCall(Object message, CompletableFuture<Object> future) {
        super(message);
        this.future = future;
    }

    /** Fails the call with {@code error} unless it is answered within {@code nanos}. */
    void timeOutAfter(long nanos, Throwable error) {
        ScheduledFuture<?> task = Timer.INSTANCE.schedule(() -> timeOut(error), nanos, TimeUnit.NANOSECONDS);
        timeout = task;
        if (outcome() != null) task.cancel(false); // answered before the task was recorded: onCompleted missed it
    }

    /** Ends the call from the caller's side (its timeout), so a late reply is discarded. */
    public boolean timeOut(Throwable error) {
        if (!abandon()) return false;
        COMPLETIONS.newThread(() -> future.completeExceptionally(error)).start();
        return true;
    }

    @Override
    protected void onCompleted() {
        ScheduledFuture<?> task = timeout;
        if (task != null) task.cancel(false);
        COMPLETIONS.newThread(this::completeFuture).start();
    }

    private void completeFuture() {
        Object o = outcome();
        if (o instanceof Failure f) future.completeExceptionally(f.error());
        else future.complete(o == NULL_REPLY ? null : o);
    }
}
