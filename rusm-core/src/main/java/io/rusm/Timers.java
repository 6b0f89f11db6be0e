package io.rusm;

import java.time.Duration;
import java.util.Set;

/**
 * Timers a process schedules for itself (Pekko's {@code TimerScheduler}, OTP's {@code send_after} /
 * {@code send_interval}), reached with {@link ProcessContext#timers()} from the process's own fiber.
 *
 * <p>A timer's message arrives in the process's mailbox like any other message and is handled on its
 * fiber, one message at a time. A {@link ResidentService} handles only handler invocations, so its
 * timers carry a {@link Runnable} that it runs on its fiber like a cast, typically a method reference:
 * {@code ProcessContext.timers().startFixedRate("expire", every, (Runnable) this::expire)}
 * (fixed intervals are simpler with {@link Every @Every}). Timers are keyed: starting a key again replaces the timer under it,
 * and a cancelled or replaced timer's message is never handled, even if it was already queued. Ticks
 * that fall behind (a slow handler) are coalesced: at most one tick per key waits in the mailbox.
 *
 * <p>Timers belong to one incarnation: they end with it (stop, crash, kill) and a restarted
 * incarnation starts with none. Once the incarnation has ended, every method here throws
 * {@link FencedException}. Delays are measured on a monotonic clock; a timer never fires early, and
 * fires late by the scheduler's latency plus whatever the mailbox holds before it.
 */
public interface Timers {

    /** Delivers {@code message} once, {@code delay} from now; the timer is inactive once it was handled. */
    void startSingle(Object key, Duration delay, Object message);

    /** Delivers {@code message} every {@code interval}, the first one {@code interval} from now. */
    default void startFixedRate(Object key, Duration interval, Object message) {
        startFixedRate(key, interval, interval, message);
    }

    /**
     * Delivers {@code message} at {@code initialDelay}, then every {@code interval} after it (due times
     * do not drift with handler time; a due time that finds the previous tick still queued is skipped).
     */
    void startFixedRate(Object key, Duration initialDelay, Duration interval, Object message);

    /**
     * Delivers {@code message} {@code delay} from now, then again {@code delay} after each delivery of
     * it was handled (so a slow handler stretches the period instead of piling ticks up).
     */
    void startFixedDelay(Object key, Duration delay, Object message);

    /** Cancels the timer under {@code key} (a no-op if there is none); a tick already queued is dropped unseen. */
    void cancel(Object key);

    /** Cancels every timer of this process. */
    void cancelAll();

    /** Whether a timer is active under {@code key} (a single timer stops being active once handled). */
    boolean isActive(Object key);

    /** Keys of the active timers (a copy). */
    Set<Object> keys();
}
