/**
 * rusm's Spring Boot auto-configuration: {@code rusm.*} properties, the {@code @ResidentService}
 * beans and {@code @ServiceClient} proxies, the lifecycle that runs the supervision tree, and the
 * failure analyzers that turn configuration mistakes into startup reports. Everything is non-null
 * unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.rusm.spring;

import org.jspecify.annotations.NullMarked;
