package io.rusm.internal.process;

import java.util.concurrent.CompletableFuture;

/** A call whose outcome completes a future instead of waking a parked caller. */
public final class AsyncCall extends Call {
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
        Object o = outcome();
        if (o instanceof Failure f) future.completeExceptionally(f.error());
        else future.complete(o == NULL_REPLY ? null : o);
    }
}
