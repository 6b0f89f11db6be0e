package io.rusm;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a public no-arg method of a {@link ResidentService} periodically, on the service's fiber, like
 * any message: one at a time with the handlers, and a crash (an exception not in its {@code throws}
 * clause) restarts the service as its supervisor's policy says.
 *
 * <pre>{@code
 * @Every("30s")
 * public void expire() { entries.values().removeIf(Entry::isStale); }
 * }</pre>
 *
 * <p>The timer is started when the incarnation's {@code @PostConstruct} methods finished, at a fixed
 * rate: due times do not drift with the method's running time, and due times that find the previous
 * run still waiting in the mailbox are skipped (coalesced), never queued up. It ends with the
 * incarnation; a restart starts it afresh. Its key in {@link Timers#keys()} is {@code @Every(name)}.
 *
 * <p>Durations: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 2d}, or ISO-8601
 * ({@code PT10S}). A bad value, a zero or negative interval, or a method that is not public, is
 * static, or takes parameters fails at definition time with {@link ServiceDefinitionException}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Every {

    /** The interval between due times, e.g. {@code "10s"}. */
    String value();

    /** Delay before the first run; empty (the default) means one interval. */
    String initialDelay() default "";
}
