package io.rusm;

/**
 * A service class or a client interface is not usable as written: a client method with no matching
 * handler, a return type that does not fit, {@code @Cast} on a non-void method, a lifecycle hook with
 * parameters, and so on. The message names the class, the method and what to change. Raised when the
 * definition or the client is created (at startup), never half-way through serving.
 *
 * <p>A call whose message names no handler of the running service (a client built against another
 * version of it) also fails with this exception; the service keeps running.
 */
public class ServiceDefinitionException extends RusmException {
    public ServiceDefinitionException(String message) {
        super(message);
    }

    public ServiceDefinitionException(String message, Throwable cause) {
        super(message, cause);
    }
}
