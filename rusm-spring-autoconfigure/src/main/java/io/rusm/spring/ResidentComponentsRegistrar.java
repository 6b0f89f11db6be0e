package io.rusm.spring;

import io.rusm.ResidentService;
import io.rusm.ServiceClient;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.FactoryBean;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.ResourceLoaderAware;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds {@code @ResidentService} classes and {@code @ServiceClient} interfaces, like Spring Data
 * finds repositories: under the application's auto-configuration packages, or the packages an
 * {@link EnableRusmClients} names.
 *
 * <p>A service class becomes a <em>prototype</em> bean that is not an autowire candidate: each
 * incarnation is a fresh {@code getBean} (so constructor injection works and state resets on
 * restart), and nobody can inject the instance and bypass its fiber. A client interface becomes a
 * {@link ServiceClientFactoryBean}: the proxy is what gets injected.
 */
class ResidentComponentsRegistrar implements ImportBeanDefinitionRegistrar, BeanFactoryAware, EnvironmentAware,
        ResourceLoaderAware {

    static final String SERVICE_BEAN_PREFIX = "rusm.service.";

    private BeanFactory beanFactory;
    private Environment environment;
    private ResourceLoader resourceLoader;

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void setResourceLoader(ResourceLoader resourceLoader) {
        this.resourceLoader = resourceLoader;
    }

    @Override
    public void registerBeanDefinitions(AnnotationMetadata importing, BeanDefinitionRegistry registry) {
        // @EnableRusmClients imports this outside the auto-configuration's condition: honour rusm.enabled
        // here too, or its clients would be registered without a Node to talk to and fail startup.
        if (!environment.getProperty("rusm.enabled", Boolean.class, true)) return;
        for (String pkg : basePackages(importing)) {
            for (BeanDefinition candidate : scanner().findCandidateComponents(pkg)) {
                Class<?> type = ClassUtils.resolveClassName(candidate.getBeanClassName(), classLoader());
                if (type.isInterface()) {
                    if (type.isAnnotationPresent(ServiceClient.class)) registerClient(type, registry);
                } else if (type.isAnnotationPresent(ResidentService.class)) {
                    registerService(type, registry);
                }
            }
        }
    }

    private void registerService(Class<?> type, BeanDefinitionRegistry registry) {
        String beanName = SERVICE_BEAN_PREFIX + type.getName();
        if (registry.containsBeanDefinition(beanName)) return;
        RootBeanDefinition def = new RootBeanDefinition(type);
        def.setScope(BeanDefinition.SCOPE_PROTOTYPE);
        def.setAutowireCandidate(false);
        def.setRole(BeanDefinition.ROLE_APPLICATION);
        registry.registerBeanDefinition(beanName, def);
    }

    private void registerClient(Class<?> type, BeanDefinitionRegistry registry) {
        String beanName = type.getName();
        if (registry.containsBeanDefinition(beanName)) return;
        RootBeanDefinition def = new RootBeanDefinition(ServiceClientFactoryBean.class);
        def.getConstructorArgumentValues().addGenericArgumentValue(type);
        def.setAttribute(FactoryBean.OBJECT_TYPE_ATTRIBUTE, type);
        // The generic target type is what AOT writes into the generated bean definition (it drops the
        // attribute): with it, the client keeps its interface type for injection by type under AOT.
        def.setTargetType(ResolvableType.forClassWithGenerics(ServiceClientFactoryBean.class, type));
        def.setAutowireMode(AbstractBeanDefinition.AUTOWIRE_CONSTRUCTOR);
        def.setLazyInit(false);
        registry.registerBeanDefinition(beanName, def);
    }

    private Set<String> basePackages(AnnotationMetadata importing) {
        Set<String> packages = new LinkedHashSet<>();
        Map<String, Object> attrs = importing.getAnnotationAttributes(EnableRusmClients.class.getName());
        if (attrs != null) {
            packages.addAll(List.of((String[]) attrs.get("basePackages")));
            for (Class<?> c : (Class<?>[]) attrs.get("basePackageClasses")) packages.add(c.getPackageName());
            if (packages.isEmpty()) packages.add(ClassUtils.getPackageName(importing.getClassName()));
        } else if (AutoConfigurationPackages.has(beanFactory)) {
            packages.addAll(AutoConfigurationPackages.get(beanFactory));
        }
        return packages;
    }

    private ClassPathScanningCandidateComponentProvider scanner() {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false, environment) {
            @Override
            protected boolean isCandidateComponent(AnnotatedBeanDefinition bean) {
                // Interfaces are candidates too: client interfaces are what we are looking for.
                return bean.getMetadata().isIndependent() && !bean.getMetadata().isAnnotation();
            }
        };
        scanner.setResourceLoader(resourceLoader);
        scanner.addIncludeFilter(new AnnotationTypeFilter(ResidentService.class));
        scanner.addIncludeFilter(new AnnotationTypeFilter(ServiceClient.class));
        return scanner;
    }

    private ClassLoader classLoader() {
        return resourceLoader != null ? resourceLoader.getClassLoader() : ClassUtils.getDefaultClassLoader();
    }
}
