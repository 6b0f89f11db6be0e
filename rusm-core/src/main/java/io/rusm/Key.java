package io.rusm;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the first parameter of a {@link ServiceClient} method as the key of a keyed service
 * ({@code placement: keyed}): the call goes to the process of that key, registered as
 * {@code <service>/<key>} with {@code key = String.valueOf(argument)}, started on demand.
 *
 * <pre>{@code
 * @ServiceClient("cart")
 * public interface CartClient {
 *     int add(@Key String userId, String item);     // handled by Cart.add(String item) of user userId's cart
 *     List<String> items(@Key String userId);      // handled by Cart.items()
 * }
 * }</pre>
 *
 * <p>The key is not passed to the handler: a handler's parameters are the client method's minus the
 * key, and the instance learns its key from {@link ProcessContext#key()} (each key has its own
 * instance). Rules, checked when the client is created: {@code @Key} only on the first parameter,
 * only for a keyed service, and every method of an unbound client of a keyed service has one (or
 * the client is bound to one key with {@link Node#client(Class, Object)}, and then none has). A
 * {@code null} key fails the call with {@link IllegalArgumentException}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Key {}
