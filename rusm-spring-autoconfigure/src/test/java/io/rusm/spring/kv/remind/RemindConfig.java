package io.rusm.spring.kv.remind;

import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.context.annotation.Configuration;

/** The on-demand {@link Nightly} service alone. */
@Configuration(proxyBeanMethods = false)
@AutoConfigurationPackage
public class RemindConfig {
}
