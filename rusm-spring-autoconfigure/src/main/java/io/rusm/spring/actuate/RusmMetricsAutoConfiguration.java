package io.rusm.spring.actuate;

import io.micrometer.core.instrument.MeterRegistry;
import io.rusm.ChildSpec;
import io.rusm.Node;
import io.rusm.SupervisorSpec;
import io.rusm.WorkerSpec;
import io.rusm.spring.ResidentServices;
import io.rusm.spring.RusmAutoConfiguration;
import io.rusm.spring.RusmLifecycle;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** The {@code rusm.*} meters ({@link MetricNames}), when the application has a {@link MeterRegistry}. */
@AutoConfiguration(after = RusmAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({RusmLifecycle.class, MeterRegistry.class})
public class RusmMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RusmMetrics rusmMetrics(Node node, ResidentServices services) {
        return new RusmMetrics(node, services.definitions(), services.externalComponents(), supervisorNames(services.supervisionTree()),
                memoryCaps(services.supervisionTree()));
    }

    private static Map<String, Long> memoryCaps(SupervisorSpec spec) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (ChildSpec c : spec.children()) {
            if (c instanceof SupervisorSpec s) out.putAll(memoryCaps(s));
            else if (c instanceof WorkerSpec w && w.maxMemoryBytes() > 0) out.put(w.name(), w.maxMemoryBytes());
        }
        return out;
    }

    private static Set<String> supervisorNames(SupervisorSpec spec) {
        Set<String> out = new LinkedHashSet<>();
        out.add(spec.name());
        for (ChildSpec c : spec.children()) if (c instanceof SupervisorSpec s) out.addAll(supervisorNames(s));
        return out;
    }
}
