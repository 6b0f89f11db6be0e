package io.rusm.internal.timer;

import io.rusm.Kv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Reminders of services that are not running. A running incarnation arms its own reminders
 * ({@link ServiceReminders}); a service started on demand has no incarnation while it is idle, so the
 * node keeps one wake-up per such service, at the earliest due time stored in its {@code Kv}. When
 * it is due and the service is still not running, the wake-up starts it through the node's
 * start-by-name path ({@link Starter}); the new incarnation re-arms its reminders from {@code Kv} as
 * it starts and fires the due one there, once (the due time is recorded before {@code onReminder}
 * runs, so a wake-up racing a call that starts the service fires nothing twice).
 *
 * <p>The life of a watch: the node watches a service when it becomes startable by name
 * ({@link #watch}, e.g. a supervisor registered it as on demand) and scans its {@code Kv} then; a
 * starting incarnation that takes reminders reports itself ({@link #running}), which cancels the
 * wake-up, and its end (however it ends) scans again. A scan that a newer event overtook arms
 * nothing (a generation per service). Kv reads and starts run on virtual threads of their own, never
 * on the timer thread or a dying process's thread. A wake-up whose start fails tries again after a
 * backoff (1 s doubling to 1 min) while the service is still watched.
 *
 * <p>Keyed services (not built yet): a key's process is named {@code service/key}; watching that
 * name when a key's incarnation starts (before {@link #running}) and routing it in the node's
 * {@code startByName} is all a keyed family needs. The names read here must be the ones the
 * services' {@code Kv} namespaces and processes use (a child's name, today the service's name).
 */
public final class ReminderWakeups {
    private static final Logger log = LoggerFactory.getLogger(ReminderWakeups.class);
    static final long FIRST_RETRY_MILLIS = 1_000;
    static final long MAX_RETRY_MILLIS = 60_000;

    /** Starts a service by name, as a first call would; true if it runs afterwards. May block; may throw. */
    @FunctionalInterface
    public interface Starter {
        boolean start(String name);
    }

    private final Supplier<TimerScheduler> scheduler;
    private final Supplier<Function<String, Kv>> store;
    private final Predicate<String> isRunning;
    private volatile Starter starter = name -> false;
    /** Which watched services may have reminders at all (the node knows their definitions); others are never scanned. */
    private volatile Predicate<String> takesReminders = name -> true;
    private final ConcurrentHashMap<String, Watch> watched = new ConcurrentHashMap<>();
    private volatile Predicate<String> isKey = n -> false;

    /** One watched service; guarded by itself. */
    private static final class Watch {
        long generation;
        TimerScheduler.Cancellable armed;
        long armedDueMillis = Long.MIN_VALUE;
        long retryMillis = FIRST_RETRY_MILLIS;

        void disarm() {
            if (armed != null) armed.cancel();
            armed = null;
            armedDueMillis = Long.MIN_VALUE;
        }
    }

    /**
     * @param scheduler where wake-ups wait (the node's timer scheduler, read at each arming)
     * @param store     each service's {@code Kv} for reminders, or null while the node has none
     * @param isRunning whether a service of that name runs now
     */
    public ReminderWakeups(Supplier<TimerScheduler> scheduler, Supplier<Function<String, Kv>> store, Predicate<String> isRunning) {
        this.scheduler = scheduler;
        this.store = store;
        this.isRunning = isRunning;
    }

    /** The path wake-ups start services by; the node sets it once. */
    public void starter(Starter starter) {
        this.starter = starter;
    }

    /** Narrows the watch-time scans to services that can take reminders (cheap: no store is opened for others). */
    /** Whether a name is a key of a keyed service ({@code service/key}): those are watched from their first end. */
    public void isKey(Predicate<String> isKey) {
        this.isKey = isKey;
    }

    public void takesReminders(Predicate<String> takesReminders) {
        this.takesReminders = takesReminders;
    }

    /** {@code service} is now startable by name while idle: look for its stored reminders. */
    public void watch(String service) {
        Watch w = watched.computeIfAbsent(service, n -> new Watch());
        if (takesReminders.test(service)) scanLater(service, w);
    }

    /** {@code service} is no longer startable by name (its supervisor ended or removed it): forget it. */
    public void unwatch(String service) {
        Watch w = watched.remove(service);
        if (w != null) {
            synchronized (w) {
                w.generation++;
                w.disarm();
            }
        }
    }

    /** The store was set or changed: scan every watched service again. */
    public void rescanAll() {
        watched.forEach((name, w) -> {
            if (takesReminders.test(name)) scanLater(name, w);
        });
    }

    /**
     * An incarnation of {@code service} that takes reminders is starting (on its fiber): it arms its
     * own reminders, so the wake-up is cancelled; when {@code exit} completes the service is scanned
     * again. Does nothing for a service that is not watched (a resident one: its supervisor restarts it).
     */
    public void running(String service, CompletableFuture<?> exit) {
        Watch w = watched.get(service);
        if (w == null && isKey.test(service)) {
            // A key of a keyed service: watched only while it has reminders and does not run, so keys
            // without reminders leave nothing behind when they stop.
            Watch fresh = new Watch();
            exit.whenComplete((r, e) -> {
                if (watched.putIfAbsent(service, fresh) == null) scanLater(service, fresh);
            });
            return;
        }
        if (w == null) return;
        synchronized (w) {
            w.generation++;
            w.disarm();
            w.retryMillis = FIRST_RETRY_MILLIS;
        }
        exit.whenComplete((r, e) -> {
            if (watched.get(service) == w) scanLater(service, w);
        });
    }

    /** When the wake-up of {@code service} is armed for (the stored due time), for views and tests. */
    public Optional<Instant> armedFor(String service) {
        Watch w = watched.get(service);
        if (w == null) return Optional.empty();
        synchronized (w) {
            return w.armed == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(w.armedDueMillis));
        }
    }

    /** Services watched now (for tests of what the node keeps). */
    public int watchedCount() {
        return watched.size();
    }

    // ---- scanning and firing ---------------------------------------------------------------

    private void scanLater(String service, Watch w) {
        long generation;
        synchronized (w) {
            generation = ++w.generation;
            w.disarm();
        }
        Thread.ofVirtual().name("rusm-reminders").start(() -> scan(service, w, generation));
    }

    private void scan(String service, Watch w, long generation) {
        Function<String, Kv> kvOf = store.get();
        if (kvOf == null || isRunning.test(service)) return;
        long due;
        try {
            due = ServiceReminders.earliestDue(kvOf.apply(service), System.currentTimeMillis());
        } catch (RuntimeException e) {
            log.warn("could not read the reminders of '{}'; they fire when it next starts", service, e);
            return;
        }
        if (due == ServiceReminders.NEVER) {
            if (isKey.test(service)) watched.remove(service, w); // a key with no reminders left: forget it
            return;
        }
        arm(service, w, generation, due);
    }

    private void arm(String service, Watch w, long generation, long dueMillis) {
        synchronized (w) {
            if (w.generation != generation || watched.get(service) != w) return; // overtaken
            w.disarm();
            long delayMillis = Math.max(0, dueMillis - System.currentTimeMillis());
            w.armedDueMillis = dueMillis;
            w.armed = scheduler.get().schedule(() -> Thread.ofVirtual().name("rusm-reminders").start(() -> fire(service, w, generation)),
                    Duration.ofMillis(delayMillis).toNanos());
        }
    }

    /** Due: start the service unless it runs (then its incarnation fires the reminder and its end scans again). */
    private void fire(String service, Watch w, long generation) {
        long retry;
        synchronized (w) {
            if (w.generation != generation) return;
            w.armed = null;
            retry = w.retryMillis;
        }
        if (isRunning.test(service)) return;
        boolean started;
        Throwable failure = null;
        try {
            started = starter.start(service);
        } catch (RuntimeException e) {
            started = false;
            failure = e;
        }
        if (started) return;
        synchronized (w) {
            if (w.generation != generation || watched.get(service) != w) return; // it started or was forgotten meanwhile
            w.retryMillis = Math.min(MAX_RETRY_MILLIS, retry * 2);
        }
        log.warn("could not start '{}' for its due reminder; trying again in {} ms{}", service, retry,
                failure == null ? "" : ": " + failure);
        arm(service, w, generation, System.currentTimeMillis() + retry);
    }
}
