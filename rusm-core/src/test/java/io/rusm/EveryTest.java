package io.rusm;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Every @Every} methods of resident services, on a {@link ManualClock}. */
class EveryTest extends NodeTestBase {
    private ManualClock clock;

    @BeforeEach
    void manualClock() {
        clock = new ManualClock();
        node.runtime().timerScheduler(clock);
    }

    @ResidentService("ticker")
    public static class Ticker {
        static final AtomicInteger INCARNATIONS = new AtomicInteger();
        final int incarnation = INCARNATIONS.incrementAndGet();
        int ticks;
        int slow;

        @Every("100ms")
        public void tick() {
            ticks++;
        }

        @Every(value = "1s", initialDelay = "0s")
        public void crashOnSecondRun() {
            if (++slow == 2) throw new IllegalStateException("the second run crashes");
        }

        public int ticks() {
            return ticks;
        }

        public int incarnation() {
            return incarnation;
        }
    }

    @ServiceClient("ticker")
    public interface TickerClient {
        int ticks();

        int incarnation();

        void tick();
    }

    @Test
    void anEveryMethodRunsAtItsRateOnTheServicesFiber() {
        node.spawnService(ServiceDefinition.of(Ticker.class), Ticker::new);
        TickerClient ticker = node.client(TickerClient.class);
        clock.advance(Duration.ofMillis(99));
        assertThat(ticker.ticks()).isZero();
        clock.advance(Duration.ofMillis(1));
        assertThat(ticker.ticks()).isOne();
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMillis(100));
            ticker.ticks(); // lets the run be handled before the next due time
        }
        assertThat(ticker.ticks()).as("one run per due time").isEqualTo(4);
        ticker.tick(); // still an ordinary handler too
        assertThat(ticker.ticks()).isEqualTo(5);
        Pid pid = node.whereis("ticker").orElseThrow();
        assertThat(node.runtime().byPid(pid).timerKeys()).extracting(Object::toString)
                .containsExactlyInAnyOrder("@Every(tick)", "@Every(crashOnSecondRun)");
    }

    @Test
    void aCrashingEveryMethodRestartsTheServiceWhoseTimersStartAfresh() {
        Ticker.INCARNATIONS.set(0);
        ServiceDefinition def = ServiceDefinition.of(Ticker.class);
        node.startSupervisor(SupervisorSpec.of("sup").withChild(WorkerSpec.of("ticker", () -> def.newBehavior(Ticker::new))));
        node.declareService(def);
        TickerClient ticker = node.client(TickerClient.class);
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMillis(100));
            ticker.ticks();
        }
        assertThat(ticker.ticks()).isEqualTo(5);
        assertThat(clock.pending()).isEqualTo(2);
        clock.advance(Duration.ofMillis(500)); // crashOnSecondRun runs for the second time and crashes
        org.awaitility.Awaitility.await().atMost(TestSupport.WAIT).until(() -> {
            try {
                return ticker.incarnation() == 2;
            } catch (RusmException notYet) {
                return false;
            }
        });
        assertThat(ticker.ticks()).as("a fresh instance").isZero();
        assertThat(clock.pending()).as("the old incarnation's timers are gone, the new one's started").isEqualTo(2);
        clock.advance(Duration.ofMillis(100));
        assertThat(ticker.ticks()).isOne();
    }

    /** A service whose interval is only known at run time starts its own timer, carrying a method reference. */
    @ResidentService("pinger")
    public static class Pinger {
        final Duration every;
        int pings;

        Pinger(Duration every) {
            this.every = every;
        }

        @jakarta.annotation.PostConstruct
        void start() {
            ProcessContext.timers().startFixedRate("ping", every, (Runnable) this::ping);
        }

        public void ping() {
            pings++;
        }

        public int pings() {
            return pings;
        }
    }

    @ServiceClient("pinger")
    public interface PingerClient {
        int pings();
    }

    @Test
    void aServiceTimerCarryingARunnableRunsItOnTheFiber() {
        node.spawnService(ServiceDefinition.of(Pinger.class), () -> new Pinger(Duration.ofMillis(50)));
        PingerClient pinger = node.client(PingerClient.class);
        for (int i = 1; i <= 3; i++) {
            clock.advance(Duration.ofMillis(50));
            assertThat(pinger.pings()).isEqualTo(i);
        }
    }

    public static class BadValue {
        @Every("ten seconds")
        public void run() {}
    }

    public static class ZeroInterval {
        @Every("0s")
        public void run() {}
    }

    public static class TakesArguments {
        @Every("1s")
        public void run(int n) {}
    }

    public static class NotPublic {
        @Every("1s")
        void run() {}
    }

    public static class IsoAndUnits {
        @Every(value = "PT0.5S", initialDelay = "2d")
        public void iso() {}

        @Every("5m")
        public void minutes() {}
    }

    @Test
    void badEveryMethodsFailAtDefinitionTimeNamingTheMethod() {
        assertThatThrownBy(() -> ServiceDefinition.of(BadValue.class)).isInstanceOf(ServiceDefinitionException.class)
                .hasMessageContaining("BadValue").hasMessageContaining("run").hasMessageContaining("ten seconds");
        assertThatThrownBy(() -> ServiceDefinition.of(ZeroInterval.class)).isInstanceOf(ServiceDefinitionException.class)
                .hasMessageContaining("run").hasMessageContaining("positive");
        assertThatThrownBy(() -> ServiceDefinition.of(TakesArguments.class)).isInstanceOf(ServiceDefinitionException.class)
                .hasMessageContaining("run").hasMessageContaining("no parameters");
        assertThatThrownBy(() -> ServiceDefinition.of(NotPublic.class)).isInstanceOf(ServiceDefinitionException.class)
                .hasMessageContaining("NotPublic").hasMessageContaining("public");
        assertThat(ServiceDefinition.of(IsoAndUnits.class)).isNotNull();
    }
}
