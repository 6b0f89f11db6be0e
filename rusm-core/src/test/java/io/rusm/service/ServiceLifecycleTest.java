package io.rusm.service;

import io.rusm.ExitReason;
import io.rusm.Pid;
import io.rusm.ProcessContext;
import io.rusm.ProcessCrashedException;
import io.rusm.ResidentService;
import io.rusm.ServiceClient;
import io.rusm.ServiceDefinition;
import io.rusm.SpawnOptions;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/** SPEC "Writing a service": an instance per incarnation, made on the fiber; @PostConstruct and @PreDestroy. */
class ServiceLifecycleTest extends ServiceTestBase {

    /** What the lifecycle of one instance looked like, recorded from its fiber. */
    static final class Journal {
        final List<String> events = new CopyOnWriteArrayList<>();
        volatile Thread constructedOn;
        volatile Thread postConstructOn;
        volatile Pid selfInPostConstruct;
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);
    }

    @ResidentService("journaled")
    public static class Journaled {
        private final Journal journal;
        private boolean ready;

        public Journaled(Journal journal) {
            this.journal = journal;
            journal.constructedOn = Thread.currentThread();
            journal.events.add("constructed");
        }

        @PostConstruct
        void start() {
            journal.postConstructOn = Thread.currentThread();
            journal.selfInPostConstruct = ProcessContext.self();
            ready = true;
            journal.events.add("postConstruct");
        }

        public boolean ready() {
            return ready;
        }

        public void record(String what) {
            journal.events.add(what);
        }

        public void block() {
            journal.entered.countDown();
            try {
                journal.gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            journal.events.add("unblocked");
        }

        public void crash() {
            throw new IllegalStateException("crash");
        }

        @PreDestroy
        public void stop() {
            journal.events.add("preDestroy");
        }
    }

    @ServiceClient("journaled")
    public interface JournaledClient {
        boolean ready();

        @io.rusm.Cast
        void record(String what);

        @io.rusm.Cast
        void block();

        @io.rusm.Cast
        void crash();
    }

    private final ServiceDefinition journaled = ServiceDefinition.of(Journaled.class);

    @Test
    void instance_is_created_and_PostConstruct_runs_on_the_fiber_before_the_first_message() {
        Journal journal = new Journal();
        Pid pid = node.spawnService(journaled, () -> new Journaled(journal));
        assertThat(journal.events).as("spawn returns after init").containsExactly("constructed", "postConstruct");
        assertThat(journal.constructedOn.isVirtual()).isTrue();
        assertThat(journal.postConstructOn).isSameAs(journal.constructedOn);
        assertThat(journal.postConstructOn).isNotSameAs(Thread.currentThread());
        assertThat(journal.selfInPostConstruct).isEqualTo(pid);
        assertThat(node.client(JournaledClient.class).ready()).isTrue();
    }

    @Test
    void a_failing_PostConstruct_fails_the_spawn() {
        ServiceDefinition failing = ServiceDefinition.of(FailingStart.class);
        Throwable thrown = catchThrowable(() -> node.spawnService(failing, FailingStart::new));
        assertThat(thrown).isInstanceOf(ProcessCrashedException.class);
        assertThat(thrown.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("cannot start");
        assertThat(node.whereis("failingStart")).isEmpty();
    }

    @Test
    void a_failing_instance_supplier_fails_the_spawn() {
        Throwable thrown = catchThrowable(() -> node.spawnService(journaled, () -> {
            throw new IllegalArgumentException("no instance");
        }));
        assertThat(thrown).isInstanceOf(ProcessCrashedException.class).hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void PreDestroy_runs_on_graceful_stop_after_the_queued_messages_were_handled() throws Exception {
        Journal journal = new Journal();
        Pid pid = node.spawnService(journaled, () -> new Journaled(journal));
        JournaledClient client = node.client(JournaledClient.class);
        client.block();
        awaitLatch(journal.entered);
        client.record("a");
        client.record("b");
        assertThat(node.mailboxSize(pid)).isEqualTo(2);

        CompletableFuture<ExitReason> stopped = new CompletableFuture<>();
        Thread stopper = Thread.ofVirtual().start(() -> stopped.complete(node.stop(pid, WAIT)));
        // The stopper parks in its timed wait only after it asked the process to stop.
        await().atMost(WAIT).until(() -> stopper.getState() == Thread.State.TIMED_WAITING);
        assertThat(journal.events).doesNotContain("preDestroy");
        journal.gate.countDown();

        assertThat(valueOf(stopped)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(journal.events).containsExactly("constructed", "postConstruct", "unblocked", "a", "b", "preDestroy");
    }

    @Test
    void PreDestroy_does_not_run_after_a_crash() throws Exception {
        Journal journal = new Journal();
        Pid pid = node.spawnService(journaled, () -> new Journaled(journal));
        node.client(JournaledClient.class).crash();
        await().atMost(WAIT).until(() -> !node.isAlive(pid));
        assertThat(journal.postConstructOn.join(WAIT)).as("fiber ended").isTrue();
        assertThat(journal.events).doesNotContain("preDestroy");
    }

    @Test
    void PreDestroy_does_not_run_after_a_kill() throws Exception {
        Journal journal = new Journal();
        Pid pid = node.spawnService(journaled, () -> new Journaled(journal));
        JournaledClient client = node.client(JournaledClient.class);
        client.block();
        awaitLatch(journal.entered);
        client.record("queued");
        node.kill(pid);
        assertThat(journal.postConstructOn.join(WAIT)).as("fiber ended").isTrue();
        assertThat(journal.events).doesNotContain("preDestroy", "queued");
    }

    @Test
    void lifecycle_methods_run_superclass_first_for_PostConstruct_and_subclass_first_for_PreDestroy() {
        List<String> events = new CopyOnWriteArrayList<>();
        Pid pid = node.spawnService(ServiceDefinition.of(Child.class), () -> new Child(events));
        assertThat(events).containsExactly("base.init", "overridden in child", "child.init");
        assertThat(node.stop(pid, WAIT)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(events).endsWith("child.destroy", "base.destroy");
        assertThat(ServiceDefinition.of(Child.class).handlerSignatures()).containsExactly("String name()");
    }

    @Test
    void instances_already_initialized_by_a_container_get_only_PreDestroy_from_rusm() {
        Journal journal = new Journal();
        ServiceDefinition def = journaled;
        Pid pid = node.spawn(SpawnOptions.named(def.name()), def.newBehaviorForInitializedInstances(() -> new Journaled(journal)));
        assertThat(journal.events).containsExactly("constructed");
        node.stop(pid, Duration.ofSeconds(5));
        assertThat(journal.events).containsExactly("constructed", "preDestroy");
    }

    @Test
    void every_incarnation_gets_a_new_instance_from_the_supplier() {
        Journal first = new Journal();
        Journal second = new Journal();
        List<Journal> journals = new CopyOnWriteArrayList<>(List.of(first, second));
        Pid one = node.spawnService(journaled, () -> new Journaled(journals.removeFirst()));
        node.client(JournaledClient.class).crash();
        await().atMost(WAIT).until(() -> !node.isAlive(one));
        node.spawnService(journaled, () -> new Journaled(journals.removeFirst()));
        assertThat(first.events).containsExactly("constructed", "postConstruct");
        assertThat(second.events).containsExactly("constructed", "postConstruct");
        assertThat(second.constructedOn).isNotSameAs(first.constructedOn);
    }

    // ---- fixtures ------------------------------------------------------------------------------

    public static class FailingStart {
        @PostConstruct
        public void start() {
            throw new IllegalStateException("cannot start");
        }
    }

    public abstract static class Base {
        final List<String> events;

        Base(List<String> events) {
            this.events = events;
        }

        @PostConstruct
        private void baseInit() {
            events.add("base.init");
        }

        @PostConstruct
        public void overridable() {
            events.add("base version: must not run");
        }

        @PreDestroy
        private void baseDestroy() {
            events.add("base.destroy");
        }
    }

    public static class Child extends Base {
        public Child(List<String> events) {
            super(events);
        }

        @Override
        public void overridable() {
            events.add("overridden in child");
        }

        @PostConstruct
        void childInit() {
            events.add("child.init");
        }

        @PreDestroy
        void childDestroy() {
            events.add("child.destroy");
        }

        public String name() {
            return "child";
        }
    }
}
