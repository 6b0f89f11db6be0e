package io.rusm;

/**
 * Delivered to a watcher's mailbox when a process it {@linkplain Node#monitor monitors} ends.
 *
 * @param ref    the monitor this notification belongs to
 * @param pid    the process that ended
 * @param reason why ({@link ExitReason.NoProc} if it was already dead when monitored)
 */
public record Down(MonitorRef ref, Pid pid, ExitReason reason) {}
