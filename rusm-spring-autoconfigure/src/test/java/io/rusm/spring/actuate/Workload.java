package io.rusm.spring.actuate;

import io.rusm.CallTimeoutException;
import io.rusm.MailboxFullException;
import io.rusm.NoProcessException;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.ProcessCrashedException;
import io.rusm.spring.actuate.fixtures.CacheClient;
import io.rusm.spring.actuate.fixtures.CounterClient;
import io.rusm.spring.actuate.fixtures.CounterRejectedException;
import io.rusm.spring.actuate.fixtures.GateClient;
import io.rusm.spring.actuate.fixtures.Latches;
import org.springframework.beans.factory.BeanFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Drives the fixture services through every call outcome and every supervision event, step by
 * step, so metric and observation tests can check what each step left behind. Each step waits for
 * its effect (a new incarnation, an entered handler), never for a fixed time.
 */
final class Workload {
    static final Duration WAIT = Duration.ofSeconds(10);

    final Node node;
    final CounterClient counter;
    final GateClient gate;
    final CacheClient cache;
    final Latches latches;

    Workload(BeanFactory beans) {
        this.node = beans.getBean(Node.class);
        this.counter = beans.getBean(CounterClient.class);
        this.gate = beans.getBean(GateClient.class);
        this.cache = beans.getBean(CacheClient.class);
        this.latches = beans.getBean(Latches.class);
    }

    /** counter: bump ok ×2, reject error, crash crashed (restarted as incarnation 2). */
    void okErrorCrash() {
        assertThat(counter.bump(1)).isEqualTo(1);
        assertThat(counter.bump(2)).isEqualTo(3);
        assertThatThrownBy(() -> counter.reject(1)).isInstanceOf(CounterRejectedException.class);
        assertThatThrownBy(() -> counter.crash("on purpose")).isInstanceOf(ProcessCrashedException.class);
        awaitIncarnation("counter", 2);
    }

    /**
     * gate: {@code hold} times out (the handler stays inside), two sends fill its mailbox of 2,
     * {@code pings} is refused as full. Leaves the gate held with 2 messages queued.
     */
    void timeoutAndFull() throws InterruptedException {
        assertThatThrownBy(gate::hold).isInstanceOf(CallTimeoutException.class);
        assertThat(latches.holding.await(10, TimeUnit.SECONDS)).isTrue();
        gate.ping();
        gate.ping();
        Pid pid = node.whereis("gate").orElseThrow();
        assertThat(node.mailboxSize(pid)).isEqualTo(2);
        assertThatThrownBy(gate::pings).isInstanceOf(MailboxFullException.class);
    }

    /** Lets the held gate go and waits until it handled its queue (a call, outcome ok). */
    void release() {
        latches.release.countDown();
        // Polled with calls: one that times out on a busy machine is simply tried again.
        await().atMost(WAIT).ignoreException(CallTimeoutException.class).until(gate::pings, n -> n == 2);
    }

    /** A call to an unknown name (noproc, service other) and a raw message no handler matches (error, method other). */
    void noprocAndUndeclaredMethod() {
        assertThatThrownBy(() -> node.call("ghost", "hello")).isInstanceOf(NoProcessException.class);
        assertThatThrownBy(() -> node.call("counter", "not an invocation")).isInstanceOf(RuntimeException.class)
                .isNotInstanceOf(ProcessCrashedException.class);
    }

    /** An anonymous process: a call that works, then one that crashes it. */
    void anonymous() {
        Pid anon = node.spawn(message -> {
            if ("boom".equals(message)) throw new IllegalStateException("anonymous crash");
            return message;
        });
        assertThat(anon.name()).startsWith("<anon");
        assertThat((String) node.call(anon, "hi")).isEqualTo("hi");
        assertThatThrownBy(() -> node.call(anon, "boom")).isInstanceOf(ProcessCrashedException.class);
        await().atMost(WAIT).until(() -> !node.isAlive(anon));
    }

    /** cache crashes twice: one restart by caches, then caches escalates (and, temporary, stays down); get is noproc. */
    void escalateCaches() {
        assertThatThrownBy(() -> cache.crash("first")).isInstanceOf(ProcessCrashedException.class);
        awaitIncarnation("cache", 2);
        assertThatThrownBy(() -> cache.crash("second")).isInstanceOf(ProcessCrashedException.class);
        await().atMost(WAIT).until(() -> node.whereis("caches").isEmpty());
        assertThatThrownBy(() -> cache.get("k")).isInstanceOf(NoProcessException.class);
    }

    /** counter is killed and restarted as incarnation 3. */
    void kill() {
        node.kill(node.whereis("counter").orElseThrow());
        awaitIncarnation("counter", 3);
    }

    void all() throws InterruptedException {
        okErrorCrash();
        timeoutAndFull();
        release();
        noprocAndUndeclaredMethod();
        anonymous();
        escalateCaches();
        kill();
    }

    void awaitIncarnation(String service, long incarnation) {
        await().atMost(WAIT).until(() -> node.whereis(service).map(Pid::incarnation).orElse(0L) == incarnation);
    }
}
