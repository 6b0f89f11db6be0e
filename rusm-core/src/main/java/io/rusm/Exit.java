package io.rusm;

/**
 * Delivered to a process that {@linkplain Node#trapExits traps exits} when a linked process ends
 * (or when someone sends it a trappable exit signal).
 *
 * @param from   the process that ended or sent the signal
 * @param reason its exit reason
 */
public record Exit(Pid from, ExitReason reason) {}
