package io.rusm.spring;

import io.rusm.Node;
import io.rusm.ServiceClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartFactoryBean;

/**
 * Makes the proxy for one {@code @ServiceClient} interface. Validation against the service's
 * handlers happens here, when the singleton is created at startup, so a mismatch fails startup.
 */
class ServiceClientFactoryBean<T> implements SmartFactoryBean<T> {
    private final Class<T> type;
    private final Node node;
    private final ResidentServices services;
    private final ObjectProvider<ServiceClientCustomizer> customizers;

    ServiceClientFactoryBean(Class<T> type, Node node, ResidentServices services,
                             ObjectProvider<ServiceClientCustomizer> customizers) {
        this.type = type;
        this.node = node;
        this.services = services;
        this.customizers = customizers;
    }

    @Override
    public T getObject() {
        String component = type.getAnnotation(ServiceClient.class).value();
        if (services.definition(component).isEmpty() && !services.isExternal(component)) {
            throw new RusmConfigurationException("@ServiceClient(\"" + component + "\")",
                    type.getName() + " is a client of '" + component + "', but there is no @ResidentService named '"
                            + component + "'; services: " + services.definitions().keySet(),
                    "Annotate a class with @ResidentService(\"" + component + "\") in a scanned package, or make @ServiceClient on "
                            + type.getSimpleName() + " name one of the services (names are case-sensitive).");
        }
        T client = services.isKeyed(component) && !namesKeys(type)
                ? keylessTemplate(component)
                : node.client(type, services.callTimeout(component));
        for (ServiceClientCustomizer c : customizers.orderedStream().toList()) client = c.customize(type, component, client);
        return client;
    }

    private static boolean namesKeys(Class<?> type) {
        for (java.lang.reflect.Method m : type.getMethods()) {
            if (m.getParameterCount() > 0 && m.getParameters()[0].isAnnotationPresent(io.rusm.Key.class)) return true;
        }
        return false;
    }

    /**
     * An interface of a keyed service whose methods name no key is meant for clients bound to one
     * key ({@code node.client(type, key)}): it is validated as such now, and the bean injected for
     * it tells whoever calls it where to get a bound client.
     */
    private T keylessTemplate(String component) {
        node.client(type, "validation", services.callTimeout(component)); // checks the interface against the handlers
        String message = type.getSimpleName() + " is a client of keyed service '" + component + "' whose methods name no key "
                + "(no @Key): it talks to one key at a time; get one with node.client(" + type.getSimpleName() + ".class, key)";
        Object proxy = java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            return switch (method.getName()) {
                case "toString" -> type.getSimpleName() + " -> " + component + "/<no key>";
                case "hashCode" -> System.identityHashCode(self);
                case "equals" -> self == args[0];
                default -> throw new IllegalStateException(message);
            };
        });
        return type.cast(proxy);
    }

    @Override
    public Class<?> getObjectType() {
        return type;
    }

    /**
     * Creates (and so validates) the client at startup even if nothing injects it: a plain
     * {@code FactoryBean}'s object is only made on first use, which would let a client that does not
     * match its service pass startup and fail later.
     */
    @Override
    public boolean isEagerInit() {
        return true;
    }
}
