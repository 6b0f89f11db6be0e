package io.rusm;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class as a resident service: a long-lived, stateful process that owns its fields and
 * handles one message at a time on its own fiber (virtual thread).
 *
 * <pre>{@code
 * @ResidentService("counter")
 * public class Counter {
 *     private long count;                                   // owned by the fiber: no locks
 *     public long bump(long by) { return count += by; }      // a handler
 *     public long total() { return count; }
 * }
 * }</pre>
 *
 * <h2>Incarnations</h2>
 * The class is instantiated <em>per incarnation</em>: every (re)start gets a fresh instance, created
 * on the service's fiber, so state resets on restart by design. {@code @jakarta.annotation.PostConstruct}
 * methods run on the fiber after construction and before the first message; {@code @PreDestroy}
 * methods run on a graceful stop, after the queued messages were handled, and never after a crash
 * or a kill.
 *
 * <h2>Handlers</h2>
 * Every public instance method declared on the class or inherited from a supertype other than
 * {@link Object} is a handler, except {@code equals}/{@code hashCode}/{@code toString}, bridge and
 * synthetic methods, the {@code @PostConstruct}/{@code @PreDestroy} methods and the two hooks below.
 * Non-public methods are never handlers. A handler is identified by its name and its erased
 * parameter types, so overloads are distinct handlers; a {@linkplain ServiceClient client} method
 * maps to the handler with the same name and exactly the same erased parameter types.
 *
 * <h2>Failure</h2>
 * An exception a handler throws that is an instance of a type in its {@code throws} clause (checked
 * or unchecked) is an answer: it is re-thrown to the caller and the service keeps its state. Anything
 * else is a crash: the caller gets {@link ProcessCrashedException} and the incarnation ends (its
 * supervisor restarts it with a fresh instance).
 *
 * <h2>Down and Exit</h2>
 * A {@link Down} (from a {@linkplain Node#monitor monitor} the service set, e.g.
 * {@code node.monitor(ProcessContext.self(), subscriber)} inside a handler) is passed to the public
 * method taking exactly one parameter of type {@code Down}, whatever its name (e.g.
 * {@code public void onDown(Down down)}); likewise an {@link Exit} (when the service traps exits) to
 * the public method taking exactly one {@code Exit}. A service without such a method ignores those
 * messages. These hooks are not handlers: clients cannot call them. At most one of each per class.
 *
 * <h2>Timers and reminders</h2>
 * A public no-arg method annotated {@link Every @Every} runs periodically on the fiber. Timers the
 * service starts itself ({@link ProcessContext#timers()}) carry a {@link Runnable} (e.g. a method
 * reference), which the service runs on its fiber like a cast. Durable {@link Reminders} call the
 * handler {@code public void onReminder(String name)}. All of them belong to the incarnation: a
 * restart re-arms {@code @Every} methods and stored reminders, never an old incarnation's timers.
 *
 * <h2>Arguments and results</h2>
 * Within one JVM arguments and results are passed by reference, but the message format is designed
 * to be serialized later (clustering). Handlers must therefore not mutate the arguments they receive,
 * callers must not mutate what they passed or got back, and nobody may rely on a value being copied
 * (or on it <em>not</em> being copied): treat both as immutable values.
 *
 * @see ServiceClient
 * @see ServiceDefinition
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
public @interface ResidentService {

    /**
     * The component name, under which the service is registered and configured. Default: the simple
     * class name decapitalized as Spring names beans ({@code Counter} → {@code counter},
     * {@code URLCache} → {@code URLCache}).
     */
    String value() default "";
}
