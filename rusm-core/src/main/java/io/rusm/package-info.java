/**
 * rusm's public API: what users of resident services touch.
 *
 * <p>{@link io.rusm.Node} is the runtime; {@link io.rusm.Pid} names one incarnation of a process;
 * {@link io.rusm.ExitReason} says why it ended. Calls fail with the unchecked subclasses of
 * {@link io.rusm.RusmException}. The machinery lives in {@code io.rusm.internal} and is not API.
 */
package io.rusm;
