package io.rusm.test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

import java.util.List;
import java.util.Map;

/**
 * Gives every Spring test context (each {@code @SpringBootTest} application) a {@code Kv} store of
 * its own in a fresh temporary directory, deleted when the JVM exits. Two test classes with
 * different properties, whose contexts Spring's test cache keeps open side by side, no longer
 * fight over one store file ("Kv file is locked"), and no test writes into the application's
 * {@code ./rusm-data}.
 *
 * <p>It is a default: a test that sets {@code rusm.kv.path} itself ({@code @SpringBootTest(properties
 * = ...)}, {@code @TestPropertySource}, {@code @DynamicPropertySource}) keeps its own. Registered in
 * {@code META-INF/spring.factories}; it is on whenever {@code rusm-test} is on the test classpath.
 */
public class TemporaryKvContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
        return new TemporaryKv();
    }

    /** Equal to every other: the test context cache keys on it, and it must not split the cache. */
    static final class TemporaryKv implements ContextCustomizer {
        static final String SOURCE = "rusmTemporaryKv";
        /** Where Spring puts properties from the test annotations; ours go just after them. */
        private static final String INLINED = "Inlined Test Properties";
        private static final String DYNAMIC = "Dynamic Test Properties";

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
            MapPropertySource kv = new MapPropertySource(SOURCE,
                    Map.of("rusm.kv.path", TemporaryDirectories.create("rusm-kv-").toString()));
            MutablePropertySources sources = context.getEnvironment().getPropertySources();
            if (sources.contains(INLINED)) sources.addAfter(INLINED, kv);
            else if (sources.contains(DYNAMIC)) sources.addAfter(DYNAMIC, kv);
            else sources.addFirst(kv);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof TemporaryKv;
        }

        @Override
        public int hashCode() {
            return TemporaryKv.class.hashCode();
        }
    }
}
