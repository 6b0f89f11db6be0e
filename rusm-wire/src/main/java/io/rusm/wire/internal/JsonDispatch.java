package io.rusm.wire.internal;

import io.rusm.NoProcessException;
import io.rusm.Node;
import io.rusm.ServiceDefinition;
import io.rusm.internal.service.Handler;
import io.rusm.internal.service.HandlerTable;
import io.rusm.internal.service.Invocation;
import io.rusm.wire.BadRequestException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Turns a wire request (service name, method name, JSON arguments) into the message the service
 * understands, before anything is queued: for a Java service an {@link Invocation} of the handler
 * its {@link HandlerTable} names (arguments decoded to the handler's parameter types), for an
 * external service a {@link JsonInvocation}. Every mistake is a {@link BadRequestException} here,
 * on the wire's thread, so a bad request never reaches, blocks or crashes the service.
 */
public final class JsonDispatch {
    private final Node node;
    private final Predicate<String> external;

    public JsonDispatch(Node node, Predicate<String> external) {
        this.node = node;
        this.external = external;
    }

    /** The message and how to encode its reply. */
    public record Prepared(Object message, Type returnType) {}

    public Prepared prepare(String service, String method, String argsJson) {
        if (service.isEmpty()) throw new BadRequestException("no service named in the request");
        if (method.isEmpty()) throw new BadRequestException("no method named in the request");
        JsonNode[] args = Json.array(argsJson);
        if (external.test(service)) return new Prepared(new JsonInvocation(method, argsJson.isEmpty() ? "[]" : argsJson), null);
        ServiceDefinition def = node.serviceDefinition(service).orElse(null);
        if (def == null) {
            if (node.whereis(service).isPresent()) {
                throw new Failures.NoHandlerException("process '" + service + "' is not a resident service: it has no handlers to call by name");
            }
            throw new NoProcessException(service);
        }
        HandlerTable table = def.handlerTable();
        List<Handler> named = table.named(method);
        if (named.isEmpty()) {
            throw new Failures.NoHandlerException("service '" + service + "' has no handler '" + method + "'; its handlers: " + def.handlerSignatures());
        }
        List<String> problems = new ArrayList<>();
        for (Handler h : named) {
            if (h.parameterCount() != args.length) {
                problems.add(h.signature() + " takes " + h.parameterCount() + " argument" + (h.parameterCount() == 1 ? "" : "s") + ", got " + args.length);
                continue;
            }
            Object[] decoded = decode(h, args, problems);
            if (decoded != null) return new Prepared(new Invocation(h.key(), h.index(), decoded), h.method().getGenericReturnType());
        }
        throw new BadRequestException("service '" + service + "': " + String.join("; ", problems));
    }

    private static Object[] decode(Handler h, JsonNode[] args, List<String> problems) {
        Type[] types = h.method().getGenericParameterTypes();
        Class<?>[] raw = h.parameterTypes();
        Object[] out = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            if (raw[i].isPrimitive() && (args[i] == null || args[i].isNull())) {
                problems.add("argument " + (i + 1) + " of " + h.signature() + " must not be null");
                return null;
            }
            try {
                out[i] = Json.read(args[i], types[i]);
            } catch (JacksonException | IllegalArgumentException e) {
                problems.add("argument " + (i + 1) + " of " + h.signature() + " is not a " + raw[i].getSimpleName() + ": "
                        + (e instanceof JacksonException je ? je.getOriginalMessage() : e.getMessage()));
                return null;
            }
        }
        return out;
    }
}
