package io.rusm.bench;

import io.rusm.Node;
import io.rusm.ProcessContext;
import io.rusm.ResidentService;
import io.rusm.ServiceDefinition;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Timer tick lateness under load (not JMH): {@code services} {@code @ResidentService}s, each with
 * {@code timers} fixed-rate timers ({@code ProcessContext.timers().startFixedRate}) every
 * {@code periodMs}, their due times spread evenly over the period, so the node handles
 * services × timers ÷ period ticks per second without pause. After {@code warmupS} seconds, for
 * {@code measureS} seconds, every handled tick records its lateness: the time it was handled (on the
 * service's fiber, in its handler) minus the earliest due time it had not yet served. A coalesced
 * tick (one that stood for several due times, because the service fell a period behind) is
 * measured from the first of them and counted in {@code skipped}.
 *
 * <pre>java -Xms2g -Xmx2g -cp rusm-bench.jar io.rusm.bench.TickLatencyMain 100000 10 1000 10 20</pre>
 *
 * Prints {@code RESULT tick.p50 rusm <µs> us}, {@code tick.p99}, {@code tick.p999}, {@code tick.max}
 * and a summary line. The Erlang twin is {@code bench/erlang/ticks.escript}.
 */
public final class TickLatencyMain {
    /** Histogram of lateness in µs: 10 µs buckets below 10 ms, 1 ms buckets below 60 s, then one overflow bucket. */
    static final class Histogram {
        private static final int FINE = 1_000;
        private static final int COARSE = 60_000 - 10;
        private final AtomicLongArray buckets = new AtomicLongArray(FINE + COARSE + 1);
        private final AtomicLong max = new AtomicLong();

        void record(long micros) {
            long us = Math.max(0, micros);
            int i = us < 10_000 ? (int) (us / 10) : (int) Math.min(FINE + COARSE, FINE + (us - 10_000) / 1_000);
            buckets.incrementAndGet(i);
            max.accumulateAndGet(us, Math::max);
        }

        long count() {
            long n = 0;
            for (int i = 0; i < buckets.length(); i++) n += buckets.get(i);
            return n;
        }

        /** The upper edge of the bucket holding quantile {@code q}, in µs. */
        long quantile(double q) {
            long n = count();
            long rank = (long) Math.ceil(q * n);
            long seen = 0;
            for (int i = 0; i < buckets.length(); i++) {
                seen += buckets.get(i);
                if (seen >= rank && seen > 0) return i < FINE ? (i + 1) * 10L : 10_000L + (i - FINE + 1) * 1_000L;
            }
            return max.get();
        }
    }

    static final Histogram LATENESS = new Histogram();
    static final AtomicLong SKIPPED = new AtomicLong();
    static volatile boolean recording;

    /** One timer's message: it knows the due times it stands for (touched only on its service's fiber). */
    static final class Tick implements Runnable {
        private final long period;
        private long nextDue;

        Tick(long firstDue, long period) {
            this.nextDue = firstDue;
            this.period = period;
        }

        @Override
        public void run() {
            long now = System.nanoTime();
            long late = now - nextDue;
            long covered = late < 0 ? 0 : late / period + 1; // due times this tick stands for
            if (recording) {
                LATENESS.record(late / 1_000);
                if (covered > 1) SKIPPED.addAndGet(covered - 1);
            }
            nextDue += Math.max(1, covered) * period;
        }
    }

    /** Arms its timers as its incarnation starts (the supplier runs on the service's fiber). */
    @ResidentService("ticker")
    public static class Ticker {
        public Ticker(long[] firstDues, long period) {
            for (int j = 0; j < firstDues.length; j++) {
                long delay = Math.max(0, firstDues[j] - System.nanoTime());
                ProcessContext.timers().startFixedRate(j, Duration.ofNanos(delay), Duration.ofNanos(period), new Tick(firstDues[j], period));
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int timers = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        long periodMs = args.length > 2 ? Long.parseLong(args[2]) : 1_000;
        long warmupS = args.length > 3 ? Long.parseLong(args[3]) : 10;
        long measureS = args.length > 4 ? Long.parseLong(args[4]) : 20;
        long period = Duration.ofMillis(periodMs).toNanos();
        long total = (long) services * timers;
        String system = System.getProperty("rusm.bench.system", "rusm"); // rusm-zgc when run with -XX:+UseZGC

        try (Node node = Node.create()) {
            long t0 = System.nanoTime();
            // Due times spread evenly over one period, starting one period after arming began
            // (arming 100,000 services takes about a second on 2 cores).
            long base = t0 + Math.max(period, Duration.ofSeconds(2).toNanos());
            long[] order = shuffled(total);
            for (int i = 0; i < services; i++) {
                long[] dues = new long[timers];
                for (int j = 0; j < timers; j++) dues[j] = base + order[i * timers + j] * period / total;
                ServiceDefinition def = ServiceDefinition.of("ticker-" + i, Ticker.class);
                node.spawnService(def, () -> new Ticker(dues, period));
            }
            long armedMs = (System.nanoTime() - t0) / 1_000_000;
            long untilBase = base - System.nanoTime();
            if (untilBase > 0) Thread.sleep(Duration.ofNanos(untilBase)); // a benchmark's schedule, not a test's synchronization
            Thread.sleep(Duration.ofSeconds(warmupS));
            recording = true;
            long m0 = System.nanoTime();
            Thread.sleep(Duration.ofSeconds(measureS));
            recording = false;
            double seconds = (System.nanoTime() - m0) / 1e9;
            long handled = LATENESS.count();
            System.out.printf(Locale.ROOT, "# %s ticks: %,d services x %d timers every %d ms (%,.0f due/s), armed in %d ms; measured %.1f s: "
                            + "%,d ticks handled (%,.0f/s), %,d due times coalesced, lateness p50 %d us, p99 %d us, p99.9 %d us, max %d us%n",
                    system, services, timers, periodMs, total * 1000.0 / periodMs, armedMs, seconds, handled, handled / seconds, SKIPPED.get(),
                    LATENESS.quantile(0.5), LATENESS.quantile(0.99), LATENESS.quantile(0.999), LATENESS.max.get());
            System.out.printf(Locale.ROOT, "RESULT tick.p50 %s %d us%n", system, LATENESS.quantile(0.5));
            System.out.printf(Locale.ROOT, "RESULT tick.p99 %s %d us%n", system, LATENESS.quantile(0.99));
            System.out.printf(Locale.ROOT, "RESULT tick.p999 %s %d us%n", system, LATENESS.quantile(0.999));
            System.out.printf(Locale.ROOT, "RESULT tick.max %s %d us%n", system, LATENESS.max.get());
            System.out.printf(Locale.ROOT, "RESULT tick.rate %s %.0f ticks/s%n", system, handled / seconds);
            node.shutdown(Duration.ofSeconds(30));
        }
    }

    /** 0 .. n-1 in random order: phases spread evenly, not by service. */
    private static long[] shuffled(long n) {
        long[] a = new long[(int) n];
        for (int i = 0; i < n; i++) a[i] = i;
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = a.length - 1; i > 0; i--) {
            int k = r.nextInt(i + 1);
            long t = a[i];
            a[i] = a[k];
            a[k] = t;
        }
        return a;
    }
}
