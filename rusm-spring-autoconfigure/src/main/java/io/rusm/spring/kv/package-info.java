/**
 * Spring wiring of rusm's durable {@link io.rusm.Kv}: the store selected by {@code rusm.kv.*}, the
 * {@code Kv} bean services inject, and the startup failure report when the store cannot open.
 */
@NullMarked
package io.rusm.spring.kv;

import org.jspecify.annotations.NullMarked;
