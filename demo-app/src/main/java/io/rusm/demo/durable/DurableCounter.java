package io.rusm.demo.durable;

import io.rusm.Kv;
import io.rusm.ResidentService;
import io.rusm.demo.chaos.DemoCrash;
import io.rusm.demo.counter.Overflow;

/**
 * A counter whose value lives in {@link Kv}: every incarnation reads it back in its constructor
 * (which runs on its fiber), and every bump is durable before it is answered. Crash it and it comes
 * back with the same value; restart the application and it is still there.
 */
@ResidentService("durableCounter")
public class DurableCounter {
    private static final String KEY = "value";

    private final Kv kv;
    private long value;

    public DurableCounter(Kv kv) {
        this.kv = kv;
        this.value = kv.get(KEY, Long.class).orElse(0L);
    }

    /** An overflow is refused before anything is written: the stored value never wraps. */
    public long bump(long by) throws IllegalArgumentException {
        long next = Overflow.add(value, by);
        kv.put(KEY, next); // durable when put returns: only then is the new value ours
        value = next;
        return value;
    }

    public long total() {
        return value;
    }

    /** DEMO ONLY: a handler that throws an undeclared exception, i.e. a crash (see the chaos endpoint). */
    public void crash(String why) {
        throw new DemoCrash(why);
    }
}
