package io.rusm;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an interface as the typed client of the {@link ResidentService} registered under
 * {@link #value()}. {@link Node#client(Class)} (or Spring injection) returns a proxy whose methods
 * are messages to whatever incarnation of that service is current.
 *
 * <h2>Mapping rule</h2>
 * <ul>
 *   <li>A method {@code R m(P1..Pn)} is a <b>call</b>: it blocks the caller until the reply (cheap on
 *       a virtual thread) and maps to the public handler named {@code m} with exactly the erased
 *       parameter types {@code P1..Pn} (no widening, no boxing; overloads are told apart this way).
 *       {@code R} must be assignable from the handler's return type, boxing allowed ({@code long} to
 *       {@code Long}/{@code Number}/{@code Object}; a primitive {@code R} needs the same primitive or
 *       its wrapper). A {@code void} client method may map to a non-void handler: the call still
 *       waits for the handler and its failures; the result is ignored.</li>
 *   <li>A method returning {@code CompletableFuture<T>} is an <b>asynchronous call</b>: it returns at
 *       once. It maps to the handler named {@code m}, or, if there is none and {@code m} ends with
 *       {@code Async}, to the handler named without that suffix ({@code bumpAsync(long)} →
 *       {@code bump(long)}). {@code T} must fit the handler's return type as above ({@code Void} or
 *       {@code Object} for a {@code void} handler). The future fails with whatever the call would
 *       throw (unwrapped), and is never completed on the service's fiber, so stages chained on it
 *       may call the service again.</li>
 *   <li>A {@code void} method annotated {@link Cast} is a <b>send</b> (fire-and-forget): it maps like a
 *       call, returns once the message is queued and ignores the handler's result. It fails only
 *       with {@link MailboxFullException}; a send to a service that is not running is dropped.</li>
 *   <li>For a keyed service ({@code placement: keyed}), a method's first parameter annotated
 *       {@link Key @Key} names the key: the call goes to process {@code <service>/<key>} (started on
 *       demand) and maps to the handler with the remaining parameters; a client bound to a key with
 *       {@link Node#client(Class, Object)} has no {@code @Key} parameters.</li>
 *   <li>Default methods run on the proxy as written (they may call the other methods).
 *       {@code equals}/{@code hashCode} are identity; {@code toString} reads
 *       {@code "CounterClient -> counter"}.</li>
 * </ul>
 *
 * <h2>Exceptions</h2>
 * A call re-throws what the handler throws from its {@code throws} clause as is, and otherwise fails
 * like {@link Node#call(String, Object)} (all {@link RusmException}s, unchecked). Every
 * <em>checked</em> exception a handler declares must be declared (or covered by a supertype) by the
 * client method that calls it; otherwise the client is rejected, as a proxy could not throw it.
 *
 * <h2>Validation</h2>
 * The interface is checked against the service's {@link ServiceDefinition} once: when the client is
 * created if the node already knows the service (spawned or {@linkplain Node#declareService declared}),
 * otherwise at the client's first call. A method with no matching handler (including one naming a
 * non-public method), a return type that does not fit, {@code @Cast} on a non-void method or an
 * undeclared checked exception fails with a {@link ServiceDefinitionException} listing every problem.
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
public @interface ServiceClient {

    /** The component name of the service this interface talks to. */
    String value();
}
