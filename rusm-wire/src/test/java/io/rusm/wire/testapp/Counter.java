package io.rusm.wire.testapp;

import io.rusm.FencedException;
import io.rusm.ProcessContext;
import io.rusm.ResidentService;

import java.util.List;
import java.util.Map;

/** The Java service the wire tests call. */
@ResidentService("counter")
public class Counter {
    private long count;

    public long bump(long by) {
        return count += by;
    }

    public long total() {
        return count;
    }

    public void reset() {
        count = 0;
    }

    public long withdraw(long amount) throws InsufficientFunds {
        if (amount > count) throw new InsufficientFunds("balance " + count + " is less than " + amount);
        return count -= amount;
    }

    public void crash(String why) {
        throw new IllegalStateException(why);
    }

    public long hold(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return millis;
    }

    public Map<String, Object> describe(String name, List<Integer> values) {
        return Map.of("name", name, "sum", values.stream().mapToInt(Integer::intValue).sum());
    }

    public int length(String text) {
        return text.length();
    }

    /** Stands for a call from an ended incarnation, to check the FENCED row end to end. */
    public void fenced() throws FencedException {
        throw new FencedException(ProcessContext.self(), "call");
    }
}
