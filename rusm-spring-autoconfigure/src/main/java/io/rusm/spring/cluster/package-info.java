/**
 * Auto-configuration of the cluster ({@code rusm.cluster.*}): active with {@code io.rusm:rusm-cluster}
 * on the classpath and {@code rusm.cluster.enabled=true}.
 */
@NullMarked
package io.rusm.spring.cluster;

import org.jspecify.annotations.NullMarked;
