package io.rusm.internal.service;

import io.rusm.Down;
import io.rusm.Exit;
import io.rusm.ServiceDefinitionException;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;

import java.lang.annotation.Annotation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a service class once into a {@link HandlerTable}. The rules (also in the javadoc of
 * {@code @ResidentService}):
 * <ul>
 *   <li>handlers are the public instance methods of the class, declared or inherited from any
 *       supertype but {@code Object}; not {@code equals}/{@code hashCode}/{@code toString}, not bridge
 *       or synthetic methods (except javac's "visibility bridges" that make a public method of a
 *       non-public superclass public: those count as the method they expose), not the
 *       {@code @PostConstruct}/{@code @PreDestroy} methods, not the Down/Exit hooks;</li>
 *   <li>a handler is keyed by name and erased parameter types, so overloads are separate handlers;</li>
 *   <li>the Down (Exit) hook is the public method with exactly one parameter of type {@code Down}
 *       ({@code Exit}); at most one each;</li>
 *   <li>{@code @PostConstruct} methods run superclass first, {@code @PreDestroy} subclass first (as
 *       in Spring); they may have any visibility, must take no parameters and not be static; an
 *       overridden one runs once.</li>
 * </ul>
 * Handlers are ordered by name and parameter types, so indices are stable for a given class.
 */
public final class ServiceIntrospector {
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static final Comparator<Method> ORDER = Comparator.comparing(Method::getName)
            .thenComparing(m -> HandlerKey.of(m.getName(), m.getParameterTypes()).toString())
            .thenComparing(m -> m.getReturnType().getName());

    private ServiceIntrospector() {}

    public static HandlerTable introspect(Class<?> type) {
        if (type.isInterface() || type.isPrimitive() || type.isArray()) {
            throw new ServiceDefinitionException(type.getName() + " cannot be a resident service: it must be a class");
        }
        List<HandlerTable.Hook> postConstruct = lifecycle(type, PostConstruct.class, true);
        List<HandlerTable.Hook> preDestroy = lifecycle(type, PreDestroy.class, false);
        Set<String> lifecycleNames = new HashSet<>();
        postConstruct.forEach(h -> lifecycleNames.add(h.method().getName()));
        preDestroy.forEach(h -> lifecycleNames.add(h.method().getName()));

        List<Handler> handlers = new ArrayList<>();
        Map<HandlerKey, Method> seen = new HashMap<>();
        Handler onDown = null;
        Handler onExit = null;
        Method[] methods = type.getMethods();
        Arrays.sort(methods, ORDER);
        for (Method m : methods) {
            if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class || isObjectMethod(m)) continue;
            Method declared = m;
            if (m.isBridge() || m.isSynthetic()) {
                declared = visibilityBridgeTarget(type, m);
                if (declared == null) continue; // a generic or covariant bridge: the real method is listed too
            }
            if (isLifecycle(declared) || (declared.getParameterCount() == 0 && lifecycleNames.contains(declared.getName()))) continue;
            if (isHook(declared, Down.class)) {
                onDown = hook(type, onDown, m, declared, Down.class);
                continue;
            }
            if (isHook(declared, Exit.class)) {
                onExit = hook(type, onExit, m, declared, Exit.class);
                continue;
            }
            HandlerKey key = HandlerKey.of(declared.getName(), declared.getParameterTypes());
            Method clash = seen.putIfAbsent(key, declared);
            if (clash != null) {
                throw new ServiceDefinitionException(type.getName() + " has two public methods " + Signatures.of(declared)
                        + " (returning " + clash.getReturnType().getSimpleName() + " and " + declared.getReturnType().getSimpleName()
                        + ", inherited from different supertypes); a handler must be unique by name and parameter types: "
                        + "override it once in " + type.getSimpleName());
            }
            handlers.add(new Handler(handlers.size(), declared, unreflect(type, m)));
        }
        return new HandlerTable(type, handlers, onDown, onExit, postConstruct, preDestroy, EveryMethods.scan(type, handlers));
    }

    static boolean isLifecycle(Method m) {
        return m.isAnnotationPresent(PostConstruct.class) || m.isAnnotationPresent(PreDestroy.class);
    }

    private static boolean isHook(Method m, Class<?> messageType) {
        return m.getParameterCount() == 1 && m.getParameterTypes()[0] == messageType;
    }

    private static Handler hook(Class<?> type, Handler existing, Method m, Method declared, Class<?> messageType) {
        if (existing != null) {
            throw new ServiceDefinitionException(type.getName() + " has two methods taking a " + messageType.getSimpleName()
                    + " (" + existing.name() + " and " + declared.getName() + "); keep one " + messageType.getSimpleName() + " hook");
        }
        return new Handler(-1, declared, unreflect(type, m));
    }

    private static boolean isObjectMethod(Method m) {
        return switch (m.getName()) {
            case "equals" -> m.getParameterCount() == 1 && m.getParameterTypes()[0] == Object.class;
            case "hashCode", "toString" -> m.getParameterCount() == 0;
            default -> false;
        };
    }

    /**
     * For a public class extending a non-public one, javac adds public bridges that expose the
     * superclass's public methods; return the method such a bridge exposes, or null for any other
     * bridge (generic or covariant-return bridges, whose real method is listed separately).
     */
    private static Method visibilityBridgeTarget(Class<?> type, Method bridge) {
        for (Class<?> c = type.getSuperclass(); c != null && c != Object.class; c = c.getSuperclass()) {
            try {
                Method m = c.getDeclaredMethod(bridge.getName(), bridge.getParameterTypes());
                if (!m.isBridge() && !m.isSynthetic() && m.getReturnType() == bridge.getReturnType()
                        && Modifier.isPublic(m.getModifiers()) && !Modifier.isPublic(c.getModifiers())) {
                    return m;
                }
                return null;
            } catch (NoSuchMethodException e) {
                // keep looking up the chain
            }
        }
        return null;
    }

    private static List<HandlerTable.Hook> lifecycle(Class<?> type, Class<? extends Annotation> annotation, boolean superclassFirst) {
        List<Class<?>> chain = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) chain.add(c);
        if (superclassFirst) Collections.reverse(chain);
        List<HandlerTable.Hook> hooks = new ArrayList<>();
        Set<String> overridable = new HashSet<>();
        for (Class<?> c : chain) {
            Method[] declared = c.getDeclaredMethods();
            Arrays.sort(declared, ORDER);
            for (Method m : declared) {
                if (!m.isAnnotationPresent(annotation) || m.isBridge() || m.isSynthetic()) continue;
                String where = "@" + annotation.getSimpleName() + " method " + Signatures.qualified(c, m);
                if (Modifier.isStatic(m.getModifiers())) {
                    throw new ServiceDefinitionException(where + " is static; lifecycle methods must be instance methods");
                }
                if (m.getParameterCount() != 0) {
                    throw new ServiceDefinitionException(where + " takes parameters; lifecycle methods must take none");
                }
                // An overridden lifecycle method is invoked once, virtually (reaching the override).
                if (!Modifier.isPrivate(m.getModifiers()) && !overridable.add(m.getName())) continue;
                MethodHandle handle = unreflect(type, m).asType(MethodType.methodType(void.class, Object.class));
                hooks.add(new HandlerTable.Hook(m, handle));
            }
        }
        return hooks;
    }

    /** A handle for {@code m}; non-public classes and methods are opened with {@code setAccessible}. */
    private static MethodHandle unreflect(Class<?> type, Method m) {
        try {
            return LOOKUP.unreflect(m);
        } catch (IllegalAccessException notPublic) {
            try {
                m.setAccessible(true);
                return LOOKUP.unreflect(m);
            } catch (RuntimeException | IllegalAccessException e) {
                throw new ServiceDefinitionException("rusm cannot access " + Signatures.qualified(m.getDeclaringClass(), m)
                        + " of service class " + type.getName() + ": make the class and method public, or open its package to rusm", e);
            }
        }
    }
}
