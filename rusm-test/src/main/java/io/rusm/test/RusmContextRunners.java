package io.rusm.test;

import io.rusm.spring.RusmAutoConfiguration;
import io.rusm.spring.kv.RusmKvAutoConfiguration;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MapPropertySource;

import java.util.Arrays;
import java.util.Map;

/**
 * An {@link ApplicationContextRunner} set up for rusm. A runner has no application package, so rusm
 * would find no {@code @ResidentService} or {@code @ServiceClient} (in an application those under
 * the {@code @SpringBootApplication} package are found; a configuration class of the test can also
 * say {@code @AutoConfigurationPackage} or {@code @EnableRusmClients}). This runner scans the
 * packages of the classes given, applies rusm's core and Kv auto-configurations and
 * {@link RusmTestAutoConfiguration} ({@link RusmEvents}), and gives each context it starts a Kv
 * store in a fresh temporary directory (a {@code rusm.kv.path} set with
 * {@code withPropertyValues} wins).
 *
 * <pre>{@code
 * ApplicationContextRunner runner = RusmContextRunners.forServicesOf(Counter.class)
 *         .withPropertyValues("rusm.components.counter.restart=transient");
 * }</pre>
 */
public final class RusmContextRunners {
    private RusmContextRunners() {}

    /** A runner that finds the services and clients in the packages (and below) of {@code classes}. */
    public static ApplicationContextRunner forServicesOf(Class<?>... classes) {
        String[] packages = Arrays.stream(classes).map(Class::getPackageName).distinct().toArray(String[]::new);
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class, RusmKvAutoConfiguration.class,
                        RusmTestAutoConfiguration.class))
                .withInitializer(context -> {
                    AutoConfigurationPackages.register((BeanDefinitionRegistry) context.getBeanFactory(), packages);
                    // Last: below the runner's own withPropertyValues.
                    context.getEnvironment().getPropertySources().addLast(new MapPropertySource("rusmTemporaryKv",
                            Map.of("rusm.kv.path", TemporaryDirectories.create("rusm-kv-").toString())));
                });
    }
}
