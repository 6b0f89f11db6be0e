package io.rusm.wire;

import io.rusm.CallTimeoutException;
import io.rusm.ExitReason;
import io.rusm.FencedException;
import io.rusm.MailboxFullException;
import io.rusm.NoProcessException;
import io.rusm.ProcessCrashedException;
import io.rusm.wire.testapp.InsufficientFunds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every row of the failure table, called over the real wire (Netty, loopback) from Java. */
class WireCallTest extends WireFixture.PerClass {
    @BeforeEach
    void reset() {
        client.call("counter", "reset", void.class);
    }

    @Test
    void normalCallReturnsTheHandlersValue() {
        assertThat(client.<Long>call("counter", "bump", long.class, 2)).isEqualTo(2L);
        assertThat(client.<Long>call("counter", "bump", long.class, 3)).isEqualTo(5L);
        assertThat(client.<Map<String, Object>>call("counter", "describe", Map.class, "x", List.of(1, 2, 3)))
                .containsEntry("name", "x").containsEntry("sum", 6);
    }

    @Test
    void declaredExceptionArrivesAsTheSameTypeAndTheServiceKeepsItsState() {
        client.call("counter", "bump", long.class, 1);
        assertThatThrownBy(() -> client.call("counter", "withdraw", long.class, 5))
                .isInstanceOf(InsufficientFunds.class).hasMessageContaining("balance 1");
        assertThat(client.<Long>call("counter", "total", long.class)).isEqualTo(1L);
    }

    @Test
    void crashIsProcessCrashedWithTheCauseAndTheServiceRestartsFresh() {
        client.call("counter", "bump", long.class, 7);
        assertThatThrownBy(() -> client.call("counter", "crash", void.class, "boom"))
                .isInstanceOfSatisfying(ProcessCrashedException.class, e -> {
                    assertThat(e.reason()).isInstanceOf(ExitReason.Crashed.class);
                    assertThat(e.getCause()).isInstanceOf(RemoteCallException.class).hasMessageContaining("IllegalStateException: boom");
                });
        // fresh state after the restart; calls during it get NoProcessException, never hang
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                assertThat(client.<Long>call("counter", "total", long.class)).isEqualTo(0L);
                break;
            } catch (NoProcessException e) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void unknownServiceIsNoProcess() {
        assertThatThrownBy(() -> client.call("nobody", "bump", long.class, 1)).isInstanceOf(NoProcessException.class);
    }

    @Test
    void noReplyWithinTheDeadlineIsCallTimeout() {
        assertThatThrownBy(() -> client.call("counter", "hold", long.class, Duration.ofMillis(100), 1000))
                .isInstanceOf(CallTimeoutException.class);
    }

    @Test
    void fullMailboxIsMailboxFull() throws Exception {
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return client.call("tiny", "hold", long.class, Duration.ofSeconds(5), 300);
                } catch (RuntimeException e) {
                    return e;
                }
            }, r -> Thread.ofVirtual().start(r)));
        }
        List<Object> outcomes = new ArrayList<>();
        for (CompletableFuture<Object> c : calls) outcomes.add(c.get(10, TimeUnit.SECONDS));
        assertThat(outcomes).anySatisfy(o -> assertThat(o).isInstanceOf(MailboxFullException.class));
    }

    @Test
    void fencedRowArrivesAsFencedException() {
        assertThatThrownBy(() -> client.call("counter", "fenced", void.class)).isInstanceOf(FencedException.class);
    }

    @Test
    void castRunsTheHandlerWithoutWaiting() {
        assertThat(client.cast("counter", "bump", 4)).isTrue();
        assertThat(client.<Long>call("counter", "total", long.class)).isEqualTo(4L); // same mailbox, in order
        assertThat(client.cast("nobody", "bump", 4)).isFalse();
    }

    @Test
    void whereisNamesTheCurrentIncarnation() {
        assertThat(client.whereis("counter")).isEqualTo(node.whereis("counter"));
        assertThat(client.whereis("nobody")).isEmpty();
    }
}
