package io.rusm.bench;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The hand-rolled baseline: a virtual thread taking messages from a {@link LinkedBlockingQueue},
 * replying through a {@link CompletableFuture}. What one writes without a framework; no names, no
 * supervision tree, no failure semantics beyond "the future fails".
 */
public final class VtQueue {
    private VtQueue() {}

    record Add(long by) {}

    record Bump(long by, CompletableFuture<Long> reply) {}

    record Get(CompletableFuture<Long> reply) {}

    record Crash(CompletableFuture<Long> reply) {}

    enum Stop { STOP }

    /** One loop: a queue, a virtual thread, a count only that thread touches. */
    public static final class Loop {
        final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private final Runnable onCrash;
        private long count;

        /** Starts a loop; {@code onCrash} runs on its thread when a {@link Crash} ends it (null: just end). */
        public Loop(Runnable onCrash) {
            this.onCrash = onCrash;
            Thread.ofVirtual().start(this::run);
        }

        private void run() {
            try {
                while (true) {
                    Object m = queue.take();
                    switch (m) {
                        case Add a -> count += a.by();
                        case Bump b -> {
                            count += b.by();
                            b.reply().complete(count);
                        }
                        case Get g -> g.reply().complete(count);
                        case Crash c -> {
                            // "crash": the hand-rolled supervisor starts a fresh loop, then the caller learns it
                            if (onCrash != null) onCrash.run();
                            c.reply().completeExceptionally(new IllegalStateException("crash requested by the benchmark"));
                            return;
                        }
                        case Stop s -> {
                            return;
                        }
                        default -> throw new IllegalStateException("unexpected " + m);
                    }
                }
            } catch (InterruptedException e) {
                // stopped
            }
        }

        public long call(long by) {
            CompletableFuture<Long> reply = new CompletableFuture<>();
            queue.add(new Bump(by, reply));
            return reply.join();
        }

        /** {@link #call} with a timed wait for the reply (5 s), as rusm's calls wait: for experiments. */
        public long callTimed(long by) {
            CompletableFuture<Long> reply = new CompletableFuture<>();
            queue.add(new Bump(by, reply));
            try {
                return reply.get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        public void cast(long by) {
            queue.add(new Add(by));
        }

        public long get() {
            CompletableFuture<Long> reply = new CompletableFuture<>();
            queue.add(new Get(reply));
            return reply.join();
        }

        /** Asks the loop to crash; returns once the caller got the failure. */
        public void crash() {
            CompletableFuture<Long> reply = new CompletableFuture<>();
            queue.add(new Crash(reply));
            try {
                reply.join();
            } catch (RuntimeException expected) {
                return;
            }
            throw new IllegalStateException("the loop did not crash");
        }

        public void stop() {
            queue.add(Stop.STOP);
        }
    }

    /** A {@link Counter} on one loop; {@code timed}: calls wait with a timeout (an experiment, not in the default run). */
    static final class CounterLoop implements Counter {
        private final Loop loop = new Loop(null);
        private final boolean timed;

        CounterLoop(boolean timed) {
            this.timed = timed;
        }

        @Override
        public long call(long by) {
            return timed ? loop.callTimed(by) : loop.call(by);
        }

        @Override
        public void cast(long by) {
            loop.cast(by);
        }

        @Override
        public long sync() {
            return loop.get();
        }

        @Override
        public void close() {
            loop.stop();
        }
    }

    /** A loop restarted (fresh state, fresh queue, new virtual thread) every time it crashes. */
    public static final class Supervised implements AutoCloseable {
        private final AtomicReference<Loop> current = new AtomicReference<>();

        public Supervised() {
            current.set(newLoop());
        }

        private Loop newLoop() {
            return new Loop(() -> current.set(newLoop()));
        }

        public Loop current() {
            return current.get();
        }

        @Override
        public void close() {
            current.get().stop();
        }
    }
}
