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
        T client = node.client(type, services.callTimeout(component));
        for (ServiceClientCustomizer c : customizers.orderedStream().toList()) client = c.customize(type, component, client);
        return client;
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
