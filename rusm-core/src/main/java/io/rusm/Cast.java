package io.rusm;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a {@code void} method of a {@link ServiceClient} interface fire-and-forget: the proxy queues
 * the message and returns without waiting; the handler's result and exceptions never reach the
 * caller. A send to a service that is not running is dropped (and reported to listeners); a full
 * mailbox throws {@link MailboxFullException}. On a non-void method it is a validation error.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface Cast {
}
