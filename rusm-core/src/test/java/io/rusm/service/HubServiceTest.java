package io.rusm.service;

import io.rusm.Behavior;
import io.rusm.Down;
import io.rusm.Exit;
import io.rusm.ExitReason;
import io.rusm.MonitorRef;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.ProcessContext;
import io.rusm.ResidentService;
import io.rusm.ServiceClient;
import io.rusm.ServiceDefinition;
import io.rusm.SpawnOptions;
import io.rusm.event.ProcessListener;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A pub/sub hub that monitors its subscribers from inside a handler and drops them on {@link Down}. */
class HubServiceTest extends ServiceTestBase {

    @ResidentService("hub")
    public static class Hub {
        private final Node node;
        private final Map<Pid, MonitorRef> subscribers = new HashMap<>();
        private final List<Down> downs = new java.util.ArrayList<>();

        public Hub(Node node) {
            this.node = node;
        }

        public void subscribe(Pid subscriber) {
            subscribers.computeIfAbsent(subscriber, s -> node.monitor(ProcessContext.self(), s));
        }

        /** Sends {@code message} to every subscriber; returns how many it reached. */
        public int publish(String message) {
            subscribers.keySet().forEach(s -> node.send(s, message));
            return subscribers.size();
        }

        public Set<Pid> subscribers() {
            return Set.copyOf(subscribers.keySet());
        }

        public int downsSeen() {
            return downs.size();
        }

        /** The Down hook. */
        public void onDown(Down down) {
            downs.add(down);
            subscribers.remove(down.pid());
        }
    }

    @ServiceClient("hub")
    public interface HubClient {
        void subscribe(Pid subscriber);

        int publish(String message);

        Set<Pid> subscribers();

        int downsSeen();
    }

    /** A subscriber process: records what it gets. */
    static final class Inbox implements Behavior {
        final BlockingQueue<Object> received = new LinkedBlockingQueue<>();

        @Override
        public Object handle(Object message) {
            received.add(message);
            return null;
        }

        Object next() throws InterruptedException {
            Object m = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(m).as("message within " + WAIT).isNotNull();
            return m;
        }
    }

    @Test
    void hub_monitors_subscribers_and_drops_them_when_they_end() throws Exception {
        node.spawnService(ServiceDefinition.of(Hub.class), () -> new Hub(node));
        HubClient hub = node.client(HubClient.class);
        Inbox aliceInbox = new Inbox();
        Inbox bobInbox = new Inbox();
        Pid alice = node.spawn(aliceInbox);
        Pid bob = node.spawn(bobInbox);
        hub.subscribe(alice);
        hub.subscribe(bob);

        assertThat(hub.publish("hello")).isEqualTo(2);
        assertThat(aliceInbox.next()).isEqualTo("hello");
        assertThat(bobInbox.next()).isEqualTo("hello");

        node.kill(bob);
        await().atMost(WAIT).until(() -> hub.subscribers().equals(Set.of(alice)));
        assertThat(hub.downsSeen()).isEqualTo(1);
        assertThat(hub.publish("again")).isEqualTo(1);
        assertThat(aliceInbox.next()).isEqualTo("again");

        assertThat(node.stop(alice, WAIT)).isEqualTo(ExitReason.SHUTDOWN);
        await().atMost(WAIT).until(() -> hub.subscribers().isEmpty());
    }

    @Test
    void subscribing_a_process_that_is_already_dead_drops_it_at_once() {
        node.spawnService(ServiceDefinition.of(Hub.class), () -> new Hub(node));
        HubClient hub = node.client(HubClient.class);
        Pid gone = node.spawn(new Inbox());
        node.kill(gone);
        hub.subscribe(gone);
        await().atMost(WAIT).until(() -> hub.subscribers().isEmpty());
        assertThat(hub.downsSeen()).isEqualTo(1);
    }

    // ---- Down and Exit without hooks ---------------------------------------------------------------

    @ResidentService("plain")
    public static class Plain {
        private final Node node;
        private int handled;

        public Plain(Node node) {
            this.node = node;
        }

        public void watch(Pid other) {
            node.monitor(ProcessContext.self(), other);
            node.link(other);
            handled++;
        }

        public int handled() {
            return handled;
        }
    }

    @ServiceClient("plain")
    public interface PlainClient {
        void watch(Pid other);

        int handled();
    }

    @Test
    void Down_and_Exit_are_ignored_by_a_service_without_hooks() {
        Pid pid = node.spawnService(ServiceDefinition.of(Plain.class), () -> new Plain(node),
                SpawnOptions.named("plain").withTrapExits(true));
        PlainClient plain = node.client(PlainClient.class);
        Pid watched = node.spawn(new Inbox());
        CountDownLatch watchersNotified = new CountDownLatch(1);
        node.addListener(new ProcessListener() {
            @Override
            public void exited(Pid p, ExitReason reason) {
                if (p.equals(watched)) watchersNotified.countDown(); // reported after monitors and links
            }
        });
        plain.watch(watched);
        node.exit(watched, ExitReason.crashed(new IllegalStateException("gone")));
        awaitLatch(watchersNotified);
        // The Down and the Exit were queued before this call, so it is handled after them.
        assertThat(plain.handled()).isEqualTo(1);
        assertThat(node.isAlive(pid)).isTrue();
    }

    // ---- Exit hook -------------------------------------------------------------------------------

    @ResidentService("trapper")
    public static class Trapper {
        private final Node node;
        private final List<Exit> exits = new java.util.ArrayList<>();

        public Trapper(Node node) {
            this.node = node;
        }

        public void linkTo(Pid other) {
            node.link(other);
        }

        public List<String> exits() {
            return exits.stream().map(e -> e.from().name() + ":" + e.reason().label()).toList();
        }

        public void onExit(Exit exit) {
            exits.add(exit);
        }
    }

    @ServiceClient("trapper")
    public interface TrapperClient {
        void linkTo(Pid other);

        List<String> exits();
    }

    @Test
    void a_trapping_service_gets_Exit_messages_in_its_Exit_hook() {
        node.spawnService(ServiceDefinition.of(Trapper.class), () -> new Trapper(node), SpawnOptions.named("trapper").withTrapExits(true));
        TrapperClient trapper = node.client(TrapperClient.class);
        Pid worker = node.spawn(SpawnOptions.named("worker"), new Inbox());
        trapper.linkTo(worker);
        node.exit(worker, ExitReason.crashed(new IllegalStateException("gone")));
        await().atMost(WAIT).until(() -> trapper.exits().equals(List.of("worker:crashed")));
    }
}
