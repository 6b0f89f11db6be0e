/**
 * The rusm wire under Spring Boot: the {@code rusm.v1} gRPC server on {@code rusm.wire.port}
 * (TLS through {@code rusm.wire.ssl-bundle}) and the components declared {@code runtime: external}.
 * Active when {@code io.rusm:rusm-wire} is on the classpath and {@code rusm.wire.port} is set.
 */
@NullMarked
package io.rusm.spring.wire;

import org.jspecify.annotations.NullMarked;
