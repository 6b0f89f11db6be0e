package io.rusm.internal.timer;

import io.rusm.Kv;
import io.rusm.Reminders;
import io.rusm.Timers;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The reminders of one service incarnation: their state is in the service's {@link Kv} under
 * {@value #PREFIX}{@code name}, and the next due time of each is one single {@link Timers timer} of
 * the incarnation (so reminders die with it like any timer, and the next incarnation re-arms them
 * from {@code Kv} with {@link #resume}). Runs on the service's fiber only.
 */
public final class ServiceReminders implements Reminders {
    static final String PREFIX = "rusm.reminder.";
    static final long NEVER = Long.MIN_VALUE;

    /** What is stored per reminder: wall-clock epoch milliseconds, so it means the same in the next JVM. */
    public record State(long firstDueMillis, long periodMillis, long lastFiredMillis) {
        /** The due time to arm: the latest one missed (fired at once), else the next one; NEVER when done. */
        long dueToArm(long now) {
            if (periodMillis == 0) return firstDueMillis > lastFiredMillis ? firstDueMillis : NEVER;
            long k = lastFiredMillis < firstDueMillis ? 0 : (lastFiredMillis - firstDueMillis) / periodMillis + 1;
            long next = firstDueMillis + k * periodMillis;
            if (next > now) return next;
            return firstDueMillis + (now - firstDueMillis) / periodMillis * periodMillis; // missed: once, the latest
        }
    }

    /** The timer key of a reminder, as views show it. */
    record Key(String name) {
        @Override
        public String toString() {
            return "reminder(" + name + ")";
        }
    }

    /** How a due time ended: for {@code rusm.reminders.fired}. */
    @FunctionalInterface
    public interface Delivery {
        void deliver(String name);
    }

    private final Kv kv;
    private final Timers timers;
    private final Delivery onReminder;

    public ServiceReminders(Kv kv, Timers timers, Delivery onReminder) {
        this.kv = Objects.requireNonNull(kv, "kv");
        this.timers = timers;
        this.onReminder = onReminder;
    }

    @Override
    public void register(String name, Instant firstDue, Duration period) {
        requireName(name);
        Objects.requireNonNull(firstDue, "firstDue");
        if (period.isNegative()) throw new IllegalArgumentException("reminder period must not be negative, was " + period);
        State s = new State(firstDue.toEpochMilli(), period.toMillis(), NEVER);
        kv.put(PREFIX + name, s);
        arm(name, s);
    }

    @Override
    public boolean unregister(String name) {
        requireName(name);
        timers.cancel(new Key(name));
        return kv.delete(PREFIX + name);
    }

    @Override
    public Set<String> names() {
        Set<String> out = new LinkedHashSet<>();
        for (String k : kv.keys(PREFIX)) out.add(k.substring(PREFIX.length()));
        return out;
    }

    @Override
    public Optional<Instant> nextDue(String name) {
        return kv.get(PREFIX + name, State.class).map(s -> s.dueToArm(System.currentTimeMillis()))
                .filter(d -> d != NEVER).map(Instant::ofEpochMilli);
    }

    /** Re-arms every stored reminder: a new incarnation (or a new JVM) picks up where the last left off. */
    public void resume() {
        for (String name : names()) kv.get(PREFIX + name, State.class).ifPresent(s -> arm(name, s));
    }

    /**
     * The earliest due time (epoch ms) among the reminders stored in {@code kv}, a missed one being
     * the latest it missed; {@link #NEVER} when none is left to fire. For a service that is not running.
     */
    static long earliestDue(Kv kv, long now) {
        long earliest = NEVER;
        for (String key : kv.keys(PREFIX)) {
            State s = kv.get(key, State.class).orElse(null);
            if (s == null) continue;
            long due = s.dueToArm(now);
            if (due != NEVER && (earliest == NEVER || due < earliest)) earliest = due;
        }
        return earliest;
    }

    private void arm(String name, State s) {
        long now = System.currentTimeMillis();
        long due = s.dueToArm(now);
        if (due == NEVER) return;
        timers.startSingle(new Key(name), Duration.ofMillis(Math.max(0, due - now)), (Runnable) () -> fire(name, due));
    }

    /** On the fiber at a due time: record it durably, arm the next, then deliver (at most once per due time). */
    private void fire(String name, long due) {
        String key = PREFIX + name;
        State s = kv.get(key, State.class).orElse(null);
        if (s == null || s.lastFiredMillis() >= due) return; // unregistered, or this due time was delivered
        State fired = new State(s.firstDueMillis(), s.periodMillis(), due);
        if (s.periodMillis() == 0) {
            kv.delete(key);
        } else {
            kv.put(key, fired);
            arm(name, fired);
        }
        onReminder.deliver(name);
    }

    private static void requireName(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a reminder needs a name");
    }
}
