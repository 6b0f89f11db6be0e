package io.rusm.internal.timer;

/**
 * Where timers wait: a monotonic clock and one-shot delayed tasks. The real one is
 * {@link SharedTimerScheduler}; tests pass a scheduler whose clock they move by hand.
 * Tasks must be short and never block: a timer's task only enqueues a message.
 */
public interface TimerScheduler {

    /** The clock delays are measured on, in nanoseconds (only differences mean anything). */
    long nanoTime();

    /** Runs {@code task} once, {@code delayNanos} from now; the result cancels it. */
    Cancellable schedule(Runnable task, long delayNanos);

    /** A scheduled task that can be withdrawn; cancelling a task that ran or was cancelled does nothing. */
    interface Cancellable {
        void cancel();
    }
}
