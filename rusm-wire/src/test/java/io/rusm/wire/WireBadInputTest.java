package io.rusm.wire;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bad input over the wire fails that call with a clear error and never reaches the service: after
 * each one the counter still answers with its state and was never restarted.
 */
class WireBadInputTest extends WireFixture.PerClass {
    @BeforeAll
    static void start() {
        client.call("counter", "bump", long.class, 42);
    }

    private void assertUntouched() {
        assertThat(client.<Long>call("counter", "total", long.class)).isEqualTo(42L);
        assertThat(node.whereis("counter").orElseThrow().incarnation()).isEqualTo(1);
    }

    @Test
    void malformedJsonIsInvalidArgument() {
        assertThatThrownBy(() -> client.callJson("counter", "bump", long.class, Duration.ofSeconds(5), "[1,"))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> client.callJson("counter", "bump", long.class, Duration.ofSeconds(5), "{\"by\":1}"))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("JSON array");
        assertUntouched();
    }

    @Test
    void wrongArgumentCountIsInvalidArgument() {
        assertThatThrownBy(() -> client.call("counter", "bump", long.class, 1, 2))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("takes 1 argument, got 2");
        assertThatThrownBy(() -> client.call("counter", "bump", long.class))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("takes 1 argument, got 0");
        assertUntouched();
    }

    @Test
    void wrongArgumentTypeIsInvalidArgument() {
        assertThatThrownBy(() -> client.callJson("counter", "bump", long.class, Duration.ofSeconds(5), "[\"lots\"]"))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("argument 1 of long bump(long)");
        assertThatThrownBy(() -> client.callJson("counter", "bump", long.class, Duration.ofSeconds(5), "[null]"))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("must not be null");
        assertThatThrownBy(() -> client.callJson("counter", "describe", Object.class, Duration.ofSeconds(5), "[\"x\", {\"a\":1}]"))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("argument 2");
        assertUntouched();
    }

    @Test
    void unknownMethodIsNotFoundNamingTheHandlers() {
        assertThatThrownBy(() -> client.call("counter", "explode", long.class))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("no handler 'explode'").hasMessageContaining("long bump(long)");
        assertUntouched();
    }

    @Test
    void messageOverTheSizeLimitIsResourceExhausted() {
        String big = "x".repeat(100 * 1024);
        assertThatThrownBy(() -> client.call("counter", "length", int.class, big))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("too large");
        assertThat(client.<Integer>call("counter", "length", int.class, "x".repeat(1000))).isEqualTo(1000);
        assertUntouched();
    }
}
