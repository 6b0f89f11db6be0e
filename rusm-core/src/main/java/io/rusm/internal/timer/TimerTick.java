package io.rusm.internal.timer;

/**
 * What a timer puts in the mailbox: a system message naming the timer and the generation it was
 * started with. The fiber checks both when it takes the tick out ({@link ProcessTimers#accept}), so a
 * tick of a cancelled or replaced timer is dropped there, never handled.
 */
public record TimerTick(Object key, long generation) {}
