package io.rusm.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SpawnProtocol;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The actor baseline: Apache Pekko typed, with its default dispatcher and mailbox, used the way a
 * Java application uses it from outside the actor system: {@code ask} (blocking the calling virtual
 * thread on the reply), {@code tell}, and {@link SpawnProtocol} to spawn named actors.
 */
public final class PekkoSystem implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** Logging off, as for rusm (slf4j-nop) and Erlang (logger level none): the runtimes are measured, not loggers. */
    static final Config CONFIG = ConfigFactory.parseString("""
            pekko.loglevel = "OFF"
            pekko.stdout-loglevel = "OFF"
            pekko.log-dead-letters = off
            pekko.log-dead-letters-during-shutdown = off
            pekko.jvm-exit-on-fatal-error = off
            """).withFallback(ConfigFactory.load());

    public sealed interface Msg {}

    public record Bump(long by, ActorRef<Long> replyTo) implements Msg {}

    public record Add(long by) implements Msg {}

    public record Get(ActorRef<Long> replyTo) implements Msg {}

    public record Crash() implements Msg {}

    public record Stop() implements Msg {}

    /** The counter actor, written as the Pekko docs write a typed actor in Java. */
    public static final class CounterActor extends AbstractBehavior<Msg> {
        private long count;

        private CounterActor(ActorContext<Msg> context) {
            super(context);
        }

        public static Behavior<Msg> create() {
            return Behaviors.setup(CounterActor::new);
        }

        @Override
        public Receive<Msg> createReceive() {
            return newReceiveBuilder()
                    .onMessage(Bump.class, m -> {
                        count += m.by();
                        m.replyTo().tell(count);
                        return this;
                    })
                    .onMessage(Add.class, m -> {
                        count += m.by();
                        return this;
                    })
                    .onMessage(Get.class, m -> {
                        m.replyTo().tell(count);
                        return this;
                    })
                    .onMessage(Crash.class, m -> {
                        throw new IllegalStateException("crash requested by the benchmark");
                    })
                    .onMessage(Stop.class, m -> Behaviors.stopped())
                    .build();
        }
    }

    /** The counter under Pekko's restart supervision (fresh state on failure, logging off). */
    public static Behavior<Msg> supervisedCounter() {
        return Behaviors.supervise(CounterActor.create())
                .onFailure(IllegalStateException.class, SupervisorStrategy.restart().withLoggingEnabled(false));
    }

    private final ActorSystem<SpawnProtocol.Command> system;

    public PekkoSystem() {
        system = ActorSystem.create(SpawnProtocol.create(), "bench", CONFIG);
    }

    /** Spawns {@code behavior} under the guardian as {@code name} and waits for its ref. */
    public <T> ActorRef<T> spawn(Behavior<T> behavior, String name) {
        CompletionStage<ActorRef<T>> ref = AskPattern.ask(system,
                replyTo -> new SpawnProtocol.Spawn<>(behavior, name, Props.empty(), replyTo), TIMEOUT, system.scheduler());
        return ref.toCompletableFuture().join();
    }

    /** A blocking ask: the calling (virtual) thread parks until the reply. */
    public long call(ActorRef<Msg> counter, long by) {
        CompletionStage<Long> reply = AskPattern.ask(counter, replyTo -> new Bump(by, replyTo), TIMEOUT, system.scheduler());
        return reply.toCompletableFuture().join();
    }

    public long get(ActorRef<Msg> counter) {
        CompletionStage<Long> reply = AskPattern.ask(counter, Get::new, TIMEOUT, system.scheduler());
        return reply.toCompletableFuture().join();
    }

    @Override
    public void close() {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Pekko did not terminate", e);
        }
    }

    /** A {@link Counter} on one actor. */
    static final class PekkoCounter implements Counter {
        private final PekkoSystem pekko = new PekkoSystem();
        private final ActorRef<Msg> counter = pekko.spawn(CounterActor.create(), "counter");

        @Override
        public long call(long by) {
            return pekko.call(counter, by);
        }

        @Override
        public void cast(long by) {
            counter.tell(new Add(by));
        }

        @Override
        public long sync() {
            return pekko.get(counter);
        }

        @Override
        public void close() {
            pekko.close();
        }
    }
}
