/**
 * Test support for applications that use rusm: {@link io.rusm.test.RusmEvents} (await a restart or
 * an escalation without sleeping), {@link io.rusm.test.RusmContextRunners} (an
 * {@code ApplicationContextRunner} that finds your services), and a Kv store in a temporary
 * directory for every test context ({@link io.rusm.test.TemporaryKvContextCustomizerFactory}).
 */
@NullMarked
package io.rusm.test;

import org.jspecify.annotations.NullMarked;
