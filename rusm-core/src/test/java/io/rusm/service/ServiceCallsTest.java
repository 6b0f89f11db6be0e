package io.rusm.service;

import io.rusm.NoProcessException;
import io.rusm.Pid;
import io.rusm.ProcessContext;
import io.rusm.ProcessCrashedException;
import io.rusm.ServiceDefinition;
import io.rusm.ServiceDefinitionException;
import io.rusm.event.ProcessListener;
import io.rusm.service.Counter.InsufficientFunds;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/** SPEC "Writing a service" and "Calls, sends and failure", through typed client proxies. */
class ServiceCallsTest extends ServiceTestBase {
    private final ServiceDefinition counter = ServiceDefinition.of(Counter.class);

    private Pid spawnCounter() {
        return node.spawnService(counter, Counter::new);
    }

    // ---- client shapes ---------------------------------------------------------------------

    @Test
    void sync_call_returns_the_handlers_value() {
        spawnCounter();
        CounterClient client = node.client(CounterClient.class);
        assertThat(client.bump(2)).isEqualTo(2);
        assertThat(client.bump(3)).isEqualTo(5);
        assertThat(client.total()).isEqualTo(5);
        assertThat(client.add("10")).isEqualTo(15L);
    }

    @Test
    void async_call_maps_xAsync_to_handler_x_and_completes_with_its_value() {
        spawnCounter();
        CounterClient client = node.client(CounterClient.class);
        CompletableFuture<Long> first = client.bumpAsync(4);
        CompletableFuture<Long> second = client.bumpAsync(1);
        assertThat(valueOf(first)).isEqualTo(4L);
        assertThat(valueOf(second)).isEqualTo(5L);
        assertThat(valueOf(client.totalAsync())).isEqualTo(5L);
    }

    @Test
    void async_call_prefers_a_handler_named_exactly_like_the_client_method() {
        node.spawnService(ServiceDefinition.of(Fetcher.class), Fetcher::new);
        FetcherClient client = node.client(FetcherClient.class);
        assertThat(valueOf(client.fetchAsync("a"))).isEqualTo("fetchAsync:a");
        assertThat(valueOf(client.loadAsync("b"))).isEqualTo("load:b");
    }

    @Test
    void stages_depending_on_an_async_reply_run_off_the_services_fiber() {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        node.spawnService(counter, () -> new Counter(entered, gate));
        CounterClient client = node.client(CounterClient.class);
        CompletableFuture<String> blocked = CompletableFuture.supplyAsync(client::block, r -> Thread.ofVirtual().start(r));
        awaitLatch(entered);
        // Registered before the reply exists, so the stage runs on whichever thread completes the future.
        CompletableFuture<String> dependent = client.bumpAsync(1)
                .thenApply(n -> n + (ProcessContext.inProcess() ? " on the fiber" : " off the fiber") + ", total " + client.total());
        gate.countDown();
        assertThat(valueOf(blocked)).isEqualTo("released");
        assertThat(valueOf(dependent)).isEqualTo("1 off the fiber, total 1");
    }

    @Test
    void cast_is_fire_and_forget_and_ignores_the_handlers_result() {
        spawnCounter();
        CounterClient client = node.client(CounterClient.class);
        CounterCommands commands = node.client(CounterCommands.class);
        commands.bump(7); // a send to a long-returning handler
        assertThat(client.total()).as("the send was queued before this call").isEqualTo(7);
        client.reset();
        assertThat(client.total()).isZero();
    }

    @Test
    void cast_returns_while_the_service_is_busy() {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        node.spawnService(counter, () -> new Counter(entered, gate));
        CounterClient client = node.client(CounterClient.class);
        CompletableFuture<String> blocked = CompletableFuture.supplyAsync(client::block, r -> Thread.ofVirtual().start(r));
        awaitLatch(entered);
        node.client(CounterCommands.class).bump(1); // returns although the handler is still blocked
        assertThat(blocked).as("the blocked call is still waiting").isNotDone();
        gate.countDown();
        assertThat(valueOf(blocked)).isEqualTo("released");
        assertThat(client.total()).isEqualTo(1);
    }

    @Test
    void cast_to_a_service_that_is_not_running_is_dropped_and_reported() {
        List<Object> dropped = new CopyOnWriteArrayList<>();
        node.addListener(new ProcessListener() {
            @Override
            public void sendDropped(String target, Object message, String reason) {
                dropped.add(target + ":" + reason);
            }
        });
        node.declareService(counter);
        node.client(CounterCommands.class).bump(1);
        assertThat(dropped).containsExactly("counter:noproc");
    }

    @Test
    void void_client_method_on_a_non_void_handler_is_a_call_whose_result_is_ignored() {
        spawnCounter();
        CounterCommands commands = node.client(CounterCommands.class);
        commands.add("5");
        assertThat(node.client(CounterClient.class).total()).isEqualTo(5);
        assertThatThrownBy(() -> commands.add("five")).isInstanceOf(NumberFormatException.class);
    }

    @Test
    void default_method_calls_through_the_proxy() {
        spawnCounter();
        assertThat(node.client(CounterClient.class).bumpTwice(3)).isEqualTo(6);
    }

    // ---- declared and undeclared exceptions --------------------------------------------------

    @Test
    void declared_checked_exception_is_rethrown_as_is_and_the_service_keeps_its_state() {
        Pid pid = spawnCounter();
        CounterClient client = node.client(CounterClient.class);
        client.bump(10);
        assertThatThrownBy(() -> client.withdraw(11))
                .isExactlyInstanceOf(InsufficientFunds.class)
                .hasMessage("balance 10 < 11");
        assertThat(node.isAlive(pid)).isTrue();
        assertThat(client.total()).isEqualTo(10);
    }

    @Test
    void declared_unchecked_exception_is_rethrown_and_the_service_keeps_its_state() {
        Pid pid = spawnCounter();
        CounterClient client = node.client(CounterClient.class);
        client.bump(1);
        assertThatThrownBy(() -> client.add("one")).isInstanceOf(NumberFormatException.class);
        assertThat(node.isAlive(pid)).isTrue();
        assertThat(client.total()).isEqualTo(1);
    }

    @Test
    void declared_exception_fails_the_future_of_an_async_call() {
        spawnCounter();
        CounterClient client = node.client(CounterClient.class);
        assertThat(failureOf(client.withdrawAsync(1))).isExactlyInstanceOf(InsufficientFunds.class);
        assertThat(client.total()).isZero();
    }

    @Test
    void undeclared_exception_crashes_the_service_and_the_caller_sees_ProcessCrashedException() {
        Pid pid = spawnCounter();
        CounterClient client = node.client(CounterClient.class);
        client.bump(3);
        Throwable thrown = catchThrowable(client::boom);
        assertThat(thrown).isInstanceOf(ProcessCrashedException.class);
        assertThat(((ProcessCrashedException) thrown).pid()).isEqualTo(pid);
        assertThat(thrown.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("boom at 3");
        assertThat(node.isAlive(pid)).isFalse();
        assertThatThrownBy(client::total).isInstanceOf(NoProcessException.class);
    }

    @Test
    void undeclared_exception_in_an_async_call_fails_its_future_with_ProcessCrashedException() {
        Pid pid = spawnCounter();
        Throwable failure = failureOf(node.client(CounterClient.class).boomAsync());
        assertThat(failure).isInstanceOf(ProcessCrashedException.class).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(node.isAlive(pid)).isFalse();
    }

    @Test
    void undeclared_exception_in_a_cast_handler_crashes_the_service() {
        Pid pid = spawnCounter();
        node.client(CounterCommands.class).boom();
        await().atMost(WAIT).until(() -> !node.isAlive(pid));
    }

    @Test
    void a_respawned_service_starts_with_a_fresh_instance() {
        Pid first = spawnCounter();
        CounterClient client = node.client(CounterClient.class);
        client.bump(42);
        assertThatThrownBy(client::boom).isInstanceOf(ProcessCrashedException.class);

        Pid second = spawnCounter();
        assertThat(second.name()).isEqualTo("counter");
        assertThat(second.incarnation()).isEqualTo(first.incarnation() + 1);
        assertThat(client.total()).as("same proxy, new incarnation, fresh state").isZero();
        assertThat(client.bump(1)).isEqualTo(1);
    }

    // ---- handler discovery and dispatch ---------------------------------------------------------

    @Test
    void overloads_are_separate_handlers_matched_by_exact_parameter_types() {
        node.spawnService(ServiceDefinition.of(Calculator.class), Calculator::new);
        CalculatorClient calc = node.client(CalculatorClient.class);
        assertThat(calc.add(2)).isEqualTo("add(int) 2");
        assertThat(calc.add("2")).isEqualTo("add(String) 2");
        assertThat(calc.add(2, 3)).isEqualTo("add(int, int) 5");
        assertThat(calc.add(new long[] {1, 2})).isEqualTo("add(long[]) 3");
    }

    @Test
    void inherited_public_methods_are_handlers_including_those_of_a_non_public_base_class_and_default_methods() {
        node.spawnService(ServiceDefinition.of(Derived.class), Derived::new);
        DerivedClient client = node.client(DerivedClient.class);
        assertThat(client.own()).isEqualTo("own");
        assertThat(client.inherited()).isEqualTo("inherited from a package-private base");
        assertThat(client.greeting()).isEqualTo("hello from a default method");
    }

    @Test
    void a_message_naming_no_handler_fails_the_call_and_the_service_keeps_running() {
        // The client binds to a service the node does not know, so it goes out unvalidated.
        Pid pid = node.spawn(io.rusm.SpawnOptions.named("counter"), counter.newBehavior(Counter::new));
        Throwable thrown = catchThrowable(() -> node.client(WrongCounterClient.class).bump(1, 2));
        assertThat(thrown).isInstanceOf(ServiceDefinitionException.class)
                .hasMessageContaining("service 'counter'")
                .hasMessageContaining("has no handler bump(long, long)");
        assertThat(node.isAlive(pid)).isTrue();
        assertThat(node.client(CounterClient.class).bump(1)).isEqualTo(1);
    }

    @Test
    void a_message_that_is_not_an_invocation_fails_the_call_and_the_service_keeps_running() {
        Pid pid = spawnCounter();
        assertThatThrownBy(() -> node.call("counter", "bump"))
                .isInstanceOf(ServiceDefinitionException.class)
                .hasMessageContaining("java.lang.String, which is not a handler invocation");
        assertThat(node.isAlive(pid)).isTrue();
    }

    // ---- binding a client to its service ---------------------------------------------------------

    @Test
    void client_created_before_the_service_is_validated_and_bound_at_its_first_call() {
        CounterClient client = node.client(CounterClient.class);
        assertThatThrownBy(client::total).isInstanceOf(NoProcessException.class);
        spawnCounter();
        assertThat(client.bump(2)).isEqualTo(2);
        assertThat(valueOf(client.bumpAsync(1))).isEqualTo(3L);
    }

    @Test
    void client_created_before_the_service_fails_its_first_call_after_that_if_it_does_not_match() {
        WrongCounterClient client = node.client(WrongCounterClient.class);
        spawnCounter();
        assertThatThrownBy(() -> client.bump(1, 2))
                .isInstanceOf(ServiceDefinitionException.class)
                .hasMessageContaining("WrongCounterClient.bump(long, long): no handler bump(long, long) in Counter");
    }

    @Test
    void client_of_a_service_that_was_never_spawned_fails_with_NoProcessException() {
        CounterClient client = node.client(CounterClient.class);
        assertThatThrownBy(() -> client.bump(1)).isInstanceOf(NoProcessException.class);
        assertThat(failureOf(client.bumpAsync(1))).isInstanceOf(NoProcessException.class);
    }

    @Test
    void supervised_service_declared_on_the_node_restarts_with_fresh_state() {
        node.declareService(counter);
        node.startSupervisor(io.rusm.SupervisorSpec.of("root")
                .withChild(io.rusm.WorkerSpec.of(counter.name(), () -> counter.newBehavior(Counter::new))));
        CounterClient client = node.client(CounterClient.class);
        Pid first = node.whereis("counter").orElseThrow();
        client.bump(5);
        assertThatThrownBy(client::boom).isInstanceOf(ProcessCrashedException.class);
        await().atMost(WAIT).until(() -> node.whereis("counter").filter(p -> !p.equals(first)).isPresent());
        assertThat(client.total()).isZero();
    }

    // ---- fixtures ------------------------------------------------------------------------------

    @io.rusm.ServiceClient("counter")
    interface WrongCounterClient {
        long bump(long a, long b);
    }

    @io.rusm.ResidentService
    public static class Fetcher {
        public String fetch(String key) {
            return "fetch:" + key;
        }

        public String fetchAsync(String key) {
            return "fetchAsync:" + key;
        }

        public String load(String key) {
            return "load:" + key;
        }
    }

    @io.rusm.ServiceClient("fetcher")
    public interface FetcherClient {
        CompletableFuture<String> fetchAsync(String key);

        CompletableFuture<String> loadAsync(String key);
    }

    @io.rusm.ResidentService("calc")
    public static class Calculator {
        public String add(int a) {
            return "add(int) " + a;
        }

        public String add(String a) {
            return "add(String) " + a;
        }

        public String add(int a, int b) {
            return "add(int, int) " + (a + b);
        }

        public String add(long[] values) {
            return "add(long[]) " + java.util.Arrays.stream(values).sum();
        }
    }

    @io.rusm.ServiceClient("calc")
    public interface CalculatorClient {
        String add(int a);

        String add(String a);

        String add(int a, int b);

        String add(long[] values);
    }

    interface Greeter {
        default String greeting() {
            return "hello from a default method";
        }
    }

    @io.rusm.ServiceClient("derived")
    public interface DerivedClient {
        String own();

        String inherited();

        String greeting();
    }
}
