package io.rusm.service;

import io.rusm.Cast;
import io.rusm.ResidentService;
import io.rusm.ServiceClient;
import io.rusm.ServiceDefinition;
import io.rusm.ServiceDefinitionException;
import io.rusm.service.Counter.InsufficientFunds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * SPEC "Writing a service": a client interface is matched to the service's handlers at startup, and
 * a mismatch fails with a message naming the interface, the method and what to do.
 */
class ClientValidationTest extends ServiceTestBase {

    @BeforeEach
    void declareCounter() {
        node.declareService(ServiceDefinition.of(Counter.class));
    }

    private String problemsOf(Class<?> clientInterface) {
        Throwable thrown = catchThrowable(() -> node.client(clientInterface));
        assertThat(thrown).isInstanceOf(ServiceDefinitionException.class);
        assertThat(thrown.getMessage()).startsWith("Client interface " + clientInterface.getName()
                + " does not match service 'counter' (" + Counter.class.getName() + "):");
        return thrown.getMessage();
    }

    @Test
    void a_method_with_no_handler_is_rejected_with_the_handlers_listed() {
        assertThat(problemsOf(NoHandler.class)).contains(
                "NoHandler.decrement(long): no handler decrement(long) in Counter; add a public method decrement(long) to Counter "
                        + "or remove this method from the client (handlers: add(String), block(), boom(), bump(long), reset(), total(), withdraw(long))");
    }

    @Test
    void a_method_naming_a_non_public_method_is_rejected_saying_the_handler_must_be_public() {
        assertThat(problemsOf(NonPublic.class)).contains(
                "NonPublic.secret(): Counter.secret() is not public; only public methods are handlers: make it public");
    }

    @Test
    void a_method_naming_a_static_method_is_rejected() {
        assertThat(problemsOf(Static.class)).contains("Static.helper(): Counter.helper() is static; handlers are public instance methods");
    }

    @Test
    void a_return_type_that_does_not_fit_the_handlers_is_rejected() {
        assertThat(problemsOf(WrongReturn.class)).contains(
                "WrongReturn.total(): returns String but handler Counter.total() returns long; "
                        + "the client's return type must be assignable from the handler's (boxing allowed), or void");
    }

    @Test
    void a_primitive_return_type_needs_the_same_primitive() {
        assertThat(problemsOf(NarrowerReturn.class)).contains(
                "NarrowerReturn.total(): returns int but handler Counter.total() returns long");
    }

    @Test
    void a_value_from_a_void_handler_is_rejected() {
        assertThat(problemsOf(ValueFromVoid.class)).contains(
                "ValueFromVoid.reset(): returns boolean but handler Counter.reset() returns void; make the client method void");
    }

    @Test
    void a_future_of_a_type_that_does_not_fit_is_rejected() {
        assertThat(problemsOf(WrongFuture.class)).contains(
                "WrongFuture.bumpAsync(long): returns CompletableFuture<String> but handler Counter.bump(long) returns long; "
                        + "declare CompletableFuture<Long> (or a supertype of it)");
    }

    @Test
    void Cast_on_a_non_void_method_is_rejected() {
        assertThat(problemsOf(CastWithResult.class)).contains(
                "CastWithResult.bump(long): @Cast requires a void method (a send has no reply) but it returns long; "
                        + "make it void, or remove @Cast to make it a call");
    }

    @Test
    void Cast_on_a_non_void_method_is_rejected_even_before_the_service_is_known() {
        assertThatThrownBy(() -> node.client(UnknownServiceCast.class))
                .isInstanceOf(ServiceDefinitionException.class)
                .hasMessageContaining("UnknownServiceCast.ping(): @Cast requires a void method");
    }

    @Test
    void overloads_must_match_the_parameter_types_exactly() {
        assertThat(problemsOf(WrongOverload.class)).contains(
                "WrongOverload.bump(int): no handler bump(int) in Counter; the handlers with that name take (long): "
                        + "parameter types must match exactly (same erased types, no widening or boxing), "
                        + "so change the client method's parameters to one of those");
        assertThat(problemsOf(BoxedParameter.class)).contains("BoxedParameter.bump(Long): no handler bump(Long) in Counter");
    }

    @Test
    void an_async_method_names_both_handlers_it_looked_for() {
        assertThat(problemsOf(MissingAsync.class)).contains(
                "MissingAsync.decrementAsync(long): no handler decrementAsync(long) or decrement(long) in Counter");
    }

    @Test
    void a_checked_exception_the_client_method_does_not_declare_is_rejected() {
        assertThat(problemsOf(UndeclaredChecked.class)).contains(
                "UndeclaredChecked.withdraw(long): handler Counter.withdraw(long) declares the checked exception InsufficientFunds, "
                        + "which the client method does not declare; add 'throws InsufficientFunds' to it");
    }

    @Test
    void a_supertype_in_the_throws_clause_covers_a_checked_exception() {
        assertThat(node.client(CoveredChecked.class)).isNotNull();
    }

    @Test
    void every_problem_is_listed_in_one_message() {
        String message = problemsOf(ManyProblems.class);
        assertThat(message.lines().filter(l -> l.startsWith("  - ManyProblems."))).hasSize(3);
    }

    @Test
    void validation_can_run_without_creating_a_client() {
        assertThatThrownBy(() -> io.rusm.internal.client.ClientValidator.validate(NoHandler.class, ServiceDefinition.of(Counter.class)))
                .isInstanceOf(ServiceDefinitionException.class)
                .hasMessageContaining("no handler decrement(long)");
        io.rusm.internal.client.ClientValidator.validate(CounterClient.class, ServiceDefinition.of(Counter.class));
    }

    @Test
    void a_client_must_be_an_annotated_interface() {
        assertThatThrownBy(() -> node.client(NotAnnotated.class))
                .isInstanceOf(ServiceDefinitionException.class)
                .hasMessage(NotAnnotated.class.getName() + " is not annotated @ServiceClient; annotate it with @ServiceClient(\"<service name>\")");
        assertThatThrownBy(() -> node.client(Counter.class))
                .isInstanceOf(ServiceDefinitionException.class)
                .hasMessage(Counter.class.getName() + " is not an interface; a @ServiceClient must be an interface");
    }

    // ---- service class problems ------------------------------------------------------------------

    @Test
    void a_lifecycle_method_with_parameters_is_rejected() {
        assertThatThrownBy(() -> ServiceDefinition.of(PostConstructWithArgs.class))
                .isInstanceOf(ServiceDefinitionException.class)
                .hasMessage("@PostConstruct method PostConstructWithArgs.init(String) takes parameters; lifecycle methods must take none");
    }

    @Test
    void two_Down_hooks_are_rejected() {
        assertThatThrownBy(() -> ServiceDefinition.of(TwoDownHooks.class))
                .isInstanceOf(ServiceDefinitionException.class)
                .hasMessage(TwoDownHooks.class.getName() + " has two methods taking a Down (a and b); keep one Down hook");
    }

    @Test
    void another_class_cannot_be_declared_under_a_taken_name() {
        assertThatThrownBy(() -> node.declareService(ServiceDefinition.of("counter", TwoDownHooksFixed.class)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("service name 'counter' is already declared for " + Counter.class.getName());
        node.declareService(ServiceDefinition.of(Counter.class)); // the same again is fine
    }

    // ---- fixtures ------------------------------------------------------------------------------

    @ServiceClient("counter")
    interface NoHandler {
        long decrement(long by);
    }

    @ServiceClient("counter")
    interface NonPublic {
        long secret();
    }

    @ServiceClient("counter")
    interface Static {
        long helper();
    }

    @ServiceClient("counter")
    interface WrongReturn {
        String total();
    }

    @ServiceClient("counter")
    interface NarrowerReturn {
        int total();
    }

    @ServiceClient("counter")
    interface ValueFromVoid {
        boolean reset();
    }

    @ServiceClient("counter")
    interface WrongFuture {
        CompletableFuture<String> bumpAsync(long by);
    }

    @ServiceClient("counter")
    interface CastWithResult {
        @Cast
        long bump(long by);
    }

    @ServiceClient("nobody")
    interface UnknownServiceCast {
        @Cast
        String ping();
    }

    @ServiceClient("counter")
    interface WrongOverload {
        long bump(int by);
    }

    @ServiceClient("counter")
    interface BoxedParameter {
        long bump(Long by);
    }

    @ServiceClient("counter")
    interface MissingAsync {
        CompletableFuture<Long> decrementAsync(long by);
    }

    @ServiceClient("counter")
    interface UndeclaredChecked {
        long withdraw(long amount);
    }

    @ServiceClient("counter")
    interface CoveredChecked {
        long withdraw(long amount) throws Exception;

        Number total();

        Object bump(long by);

        void reset();

        CompletableFuture<Void> resetAsync();

        CompletableFuture<Object> blockAsync();
    }

    @ServiceClient("counter")
    interface ManyProblems {
        long decrement(long by);

        String total();

        @Cast
        long bump(long by);
    }

    interface NotAnnotated {
        long total();
    }

    public static class PostConstructWithArgs {
        @jakarta.annotation.PostConstruct
        void init(String s) {}
    }

    public static class TwoDownHooks {
        public void a(io.rusm.Down d) {}

        public void b(io.rusm.Down d) {}
    }

    public static class TwoDownHooksFixed {
        public List<String> items() {
            return List.of();
        }
    }

    @ResidentService
    static class Unused {}
}
