package io.rusm.internal.process;

import java.util.concurrent.CompletableFuture;

/**
 * A call whose outcome completes a future instead of waking a parked caller. When the outcome is
 * set on a process fiber (the callee replying, or a process killing it), the future is completed
 * from a fresh virtual thread instead, so the caller's dependent stages ({@code thenApply}, ...)
 * never run on — and block, or call back into — that process's fiber.
 */
public final class AsyncCall extends Call {
    private static final java.util.concurrent.ThreadFactory COMPLETIONS =
            Thread.ofVirtual().name("rusm-async-reply").factory();

    private final CompletableFuture<Object> future;

    public AsyncCall(Object message, CompletableFuture<Object> future) {
        super(message);
        this.future = future;
    }

    /** Ends the call from the caller's side (its timeout), so a late reply is discarded. */
    public boolean timeOut(Throwable error) {
        return abandon() && future.completeExceptionally(error);
    }

    @Override
    protected void onCompleted() {
        if (Current.orNull() != null) COMPLETIONS.newThread(this::completeFuture).start();
        else completeFuture();
    }

    private void completeFuture() {
        Object o = outcome();
        if (o instanceof Failure f) future.completeExceptionally(f.error());
        else future.complete(o == NULL_REPLY ? null : o);
    }
}
