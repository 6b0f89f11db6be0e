package io.rusm;

import io.rusm.internal.timer.TimerScheduler;

import java.time.Duration;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * A {@link TimerScheduler} whose clock moves only when a test calls {@link #advance}: due tasks then
 * run on the test's thread, in due order, before {@code advance} returns. So after
 * {@code advance(d)} every tick due within {@code d} is in its mailbox: no sleeps, no races.
 */
final class ManualClock implements TimerScheduler {
    private final class Task implements Cancellable {
        final long due;
        final long seq;
        final Runnable run;

        Task(long due, long seq, Runnable run) {
            this.due = due;
            this.seq = seq;
            this.run = run;
        }

        @Override
        public void cancel() {
            synchronized (ManualClock.this) {
                queue.remove(this);
            }
        }
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>(
            Comparator.<Task>comparingLong(t -> t.due).thenComparingLong(t -> t.seq));
    private long now = 1_000_000_000L;
    private long seq;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delayNanos) {
        Task t = new Task(now + Math.max(0, delayNanos), seq++, task);
        queue.add(t);
        return t;
    }

    /** Moves the clock by {@code d}, running each task that falls due (outside the lock: tasks reschedule). */
    void advance(Duration d) {
        long target;
        synchronized (this) {
            target = now + d.toNanos();
        }
        while (true) {
            Task t;
            synchronized (this) {
                t = queue.peek();
                if (t == null || t.due > target) {
                    now = target;
                    return;
                }
                queue.poll();
                now = t.due;
            }
            t.run.run();
        }
    }

    /** Tasks waiting: a dead incarnation's timers must not be among them. */
    synchronized int pending() {
        return queue.size();
    }
}
