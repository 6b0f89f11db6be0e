package io.rusm.demo.tally;

import io.rusm.Kv;
import io.rusm.ProcessContext;
import io.rusm.ResidentService;
import io.rusm.demo.counter.Overflow;

/**
 * A keyed service ({@code placement: keyed}): one process per key, started by the key's first call
 * and stopped after {@code idle-timeout} without messages. Each key's instance owns that key's total;
 * the total lives in the key's own {@link Kv} (namespace {@code tally/<key>}), so a key that stopped,
 * crashed or outlived a restart of the application comes back with it.
 *
 * <p>In the {@code cluster} profile each key runs on the node that owns its partition, and its
 * total follows it through the shared JDBC {@code Kv} when it moves.
 */
@ResidentService("tally")
public class Tally {
    private static final String TOTAL = "total";

    private final Kv kv;
    private long total;

    public Tally(Kv kv) { // runs on the key's fiber: kv is this key's namespace already
        this.kv = kv;
        this.total = kv.get(TOTAL, Long.class).orElse(0L);
    }

    /** Adds {@code n}; the new total is durable before it is answered. An overflow is refused and nothing is written. */
    public Added add(long n) throws IllegalArgumentException {
        long next = Overflow.add(total, n);
        kv.put(TOTAL, next);
        total = next;
        return new Added(total, ProcessContext.self().node());
    }

    public long total() {
        return total;
    }

    /** The node this key's process runs on. */
    public String where() {
        return ProcessContext.self().node();
    }
}
