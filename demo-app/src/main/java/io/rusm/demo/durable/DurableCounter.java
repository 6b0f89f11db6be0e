package io.rusm.demo.durable;

import io.rusm.Kv;
import io.rusm.ResidentService;

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

    public long bump(long by) {
        kv.put(KEY, value + by); // durable when put returns: only then is the new value ours
        value += by;
        return value;
    }

    public long total() {
        return value;
    }
}
