package io.rusm.internal.timer;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one timer thread of the JVM: every process's timers are tasks in one
 * {@link ScheduledThreadPoolExecutor} (a binary heap), with remove-on-cancel so a cancelled or replaced
 * timer leaves the queue at once and holds nothing. Its tasks only put a message in a mailbox, so one
 * daemon platform thread keeps up with any number of timers; no thread is ever made per timer.
 */
public final class SharedTimerScheduler implements TimerScheduler {
    public static final SharedTimerScheduler INSTANCE = new SharedTimerScheduler();

    private final ScheduledThreadPoolExecutor executor;

    private SharedTimerScheduler() {
        executor = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("rusm-timers").factory());
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        ScheduledFuture<?> f = executor.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    /** Tasks waiting in the shared queue, all nodes together (for tests and views). */
    public int queued() {
        return executor.getQueue().size();
    }
}
