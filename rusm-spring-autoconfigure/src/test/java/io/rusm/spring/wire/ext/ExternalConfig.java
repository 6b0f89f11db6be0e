package io.rusm.spring.wire.ext;

import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.context.annotation.Configuration;

/** Scans this package: the client of an external (TypeScript-hosted) component. */
@Configuration(proxyBeanMethods = false)
@AutoConfigurationPackage
public class ExternalConfig {}
