package io.rusm.service;

import io.rusm.ResidentService;

import java.util.concurrent.CountDownLatch;

/** The SPEC's counter, plus handlers for the failure table. */
@ResidentService("counter")
public class Counter {
    /** A checked exception {@link #withdraw} declares: an answer, not a crash. */
    public static final class InsufficientFunds extends Exception {
        public InsufficientFunds(long balance, long wanted) {
            super("balance " + balance + " < " + wanted);
        }
    }

    private final CountDownLatch entered;
    private final CountDownLatch gate;
    private long count;

    public Counter() {
        this(new CountDownLatch(1), new CountDownLatch(0));
    }

    /** {@link #block()} counts {@code entered} down, then waits for {@code gate}. */
    public Counter(CountDownLatch entered, CountDownLatch gate) {
        this.entered = entered;
        this.gate = gate;
    }

    public long bump(long by) {
        count += by;
        return count;
    }

    public long total() {
        return count;
    }

    public void reset() {
        count = 0;
    }

    public long withdraw(long amount) throws InsufficientFunds {
        if (amount > count) throw new InsufficientFunds(count, amount);
        count -= amount;
        return count;
    }

    /** Declares an unchecked exception: {@code NumberFormatException} is an answer too. */
    public long add(String amount) throws NumberFormatException {
        count += Long.parseLong(amount);
        return count;
    }

    /** Throws something undeclared: a crash. */
    public long boom() {
        throw new IllegalStateException("boom at " + count);
    }

    public String block() {
        entered.countDown();
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while blocked", e);
        }
        return "released";
    }

    /** Not public: not a handler. */
    long secret() {
        return count;
    }

    static long helper() {
        return 0;
    }

    @Override
    public String toString() {
        return "Counter[" + count + "]";
    }
}
