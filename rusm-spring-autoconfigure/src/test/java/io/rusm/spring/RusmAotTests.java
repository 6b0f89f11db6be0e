package io.rusm.spring;

import io.rusm.spring.fixtures.good.Counter;
import io.rusm.spring.fixtures.good.CounterClient;
import io.rusm.spring.fixtures.good.GoodConfig;
import org.junit.jupiter.api.Test;
import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.GeneratedFiles;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.javapoet.ClassName;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring AOT over a context with rusm's services and clients, as {@code spring-boot:process-aot}
 * runs it: the generated hints let a native image make the client proxies and call the handlers,
 * and the generated bean definitions keep each client's interface type. (The demo's
 * {@code DemoAotModeEndToEndIT} runs what AOT generates, on the JVM.)
 */
class RusmAotTests {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class))
            .withUserConfiguration(GoodConfig.class);

    @Test
    void hintsCoverTheClientProxiesAndTheHandlers() {
        Generated generated = processAheadOfTime();
        RuntimeHints hints = generated.hints();
        assertThat(RuntimeHintsPredicates.proxies().forInterfaces(CounterClient.class)).accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onType(CounterClient.class)).accepts(hints);
        for (String handler : new String[]{"bump", "total", "note", "crash"}) {
            assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Counter.class, handler)).as(handler).accepts(hints);
        }
        assertThat(RuntimeHintsPredicates.reflection().onType(Counter.class)).accepts(hints);
    }

    @Test
    void generatedClientDefinitionsKeepTheirInterfaceType() {
        String code = generated("io/rusm/spring/ServiceClientFactoryBean__BeanDefinitions.java");
        assertThat(code).contains("ResolvableType.forClassWithGenerics(ServiceClientFactoryBean.class, CounterClient.class)");
    }

    @Test
    void theProcessorIsRegisteredForAot() {
        assertThat(org.springframework.core.io.support.SpringFactoriesLoader.forResourceLocation("META-INF/spring/aot.factories")
                .load(org.springframework.beans.factory.aot.BeanRegistrationAotProcessor.class))
                .hasAtLeastOneElementOfType(RusmBeanRegistrationAotProcessor.class);
    }

    private String generated(String path) {
        Map<String, ?> sources = processAheadOfTime().files().getGeneratedFiles(GeneratedFiles.Kind.SOURCE);
        assertThat(sources).containsKey(path);
        return sources.get(path).toString();
    }

    private record Generated(RuntimeHints hints, InMemoryGeneratedFiles files) {}

    private Generated processAheadOfTime() {
        InMemoryGeneratedFiles files = new InMemoryGeneratedFiles();
        DefaultGenerationContext generation = new DefaultGenerationContext(
                new ClassNameGenerator(ClassName.get("io.rusm.spring", "RusmAotTestApp")), files);
        runner.prepare(context -> {
            new ApplicationContextAotGenerator().processAheadOfTime(
                    (GenericApplicationContext) context.getSourceApplicationContext(), generation);
            generation.writeGeneratedContent();
        });
        return new Generated(generation.getRuntimeHints(), files);
    }
}
