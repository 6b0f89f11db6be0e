/**
 * rusm's observability for Spring Boot Actuator, each part its own auto-configuration: the
 * {@code rusm} health contributor, the {@code rusm.*} meters, call observations and the
 * {@code /actuator/rusm} endpoint. Everything is non-null unless marked
 * {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.rusm.spring.actuate;

import org.jspecify.annotations.NullMarked;
