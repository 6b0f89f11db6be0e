package io.rusm;

/**
 * The calling incarnation has ended (killed, crashed, stopped, or fenced by a newer owner), yet its
 * code is still running — typically a handler that ignored the interrupt of a kill. Whatever it
 * tried to do through rusm (a send, call, spawn, link, monitor or {@code Kv} write) took no effect
 * and reached nobody: a dead incarnation never acts next to its successor ("dead means dead").
 */
public class FencedException extends RusmException {
    private final Pid pid;

    public FencedException(Pid pid, String operation) {
        super(pid + " has ended; its " + operation + " took no effect");
        this.pid = pid;
    }

    /** The ended incarnation that attempted the operation. */
    public Pid pid() {
        return pid;
    }
}
