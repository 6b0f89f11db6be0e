package io.rusm.spring;

import org.jspecify.annotations.Nullable;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.beans.factory.config.ConstructorArgumentValues;
import org.springframework.beans.factory.support.RegisteredBean;

/**
 * What a native image needs to know about rusm's beans, found ahead of time from their
 * definitions, as Spring's HTTP interface clients do for theirs (registered in
 * {@code META-INF/spring/aot.factories}):
 * <ul>
 *   <li>a {@code @ServiceClient} interface is implemented by a JDK proxy (rusm's client, and the
 *       observed client around it), and its methods are read to match them to handlers;</li>
 *   <li>a {@code @ResidentService} class's public methods are its handlers, found and invoked
 *       reflectively, and its declared methods are searched for lifecycle annotations.</li>
 * </ul>
 */
class RusmBeanRegistrationAotProcessor implements BeanRegistrationAotProcessor {

    @Override
    public @Nullable BeanRegistrationAotContribution processAheadOfTime(RegisteredBean bean) {
        Class<?> beanClass = bean.getBeanClass();
        if (beanClass == ServiceClientFactoryBean.class) {
            Class<?> client = clientInterface(bean);
            return client == null ? null : (context, code) -> clientHints(context.getRuntimeHints(), client);
        }
        if (bean.getBeanName().startsWith(ResidentComponentsRegistrar.SERVICE_BEAN_PREFIX)) {
            return (context, code) -> serviceHints(context.getRuntimeHints(), beanClass);
        }
        return null;
    }

    static void clientHints(RuntimeHints hints, Class<?> client) {
        hints.proxies().registerJdkProxy(client);
        hints.reflection().registerType(client, MemberCategory.INTROSPECT_PUBLIC_METHODS);
    }

    static void serviceHints(RuntimeHints hints, Class<?> service) {
        hints.reflection().registerType(service, MemberCategory.INVOKE_PUBLIC_METHODS,
                MemberCategory.INVOKE_DECLARED_CONSTRUCTORS);
        for (Class<?> c = service; c != null && c != Object.class; c = c.getSuperclass()) {
            hints.reflection().registerType(c, MemberCategory.INTROSPECT_DECLARED_METHODS);
        }
    }

    /** The interface the factory bean was declared for: its one generic constructor argument. */
    private static @Nullable Class<?> clientInterface(RegisteredBean bean) {
        ConstructorArgumentValues.ValueHolder arg = bean.getMergedBeanDefinition().getConstructorArgumentValues()
                .getGenericArgumentValue(Class.class);
        return arg != null && arg.getValue() instanceof Class<?> c && c.isInterface() ? c : null;
    }
}
