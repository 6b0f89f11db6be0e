package io.rusm.spring;

import org.springframework.context.annotation.Import;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Scans more packages for {@code @ResidentService} classes and {@code @ServiceClient} interfaces.
 * Not needed for those under the application's own packages (the {@code @SpringBootApplication}
 * package and below), which are found automatically.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Import(ResidentComponentsRegistrar.class)
public @interface EnableRusmClients {

    /** Packages to scan; the annotated class's package when empty. */
    String[] basePackages() default {};

    /** Classes whose packages are scanned. */
    Class<?>[] basePackageClasses() default {};
}
