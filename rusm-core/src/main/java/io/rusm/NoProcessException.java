package io.rusm;

/** The addressed process is not running: unknown name, stopped, escalated, or between incarnations. */
public class NoProcessException extends RusmException {
    private final String target;

    public NoProcessException(String target) {
        super("no process: " + target);
        this.target = target;
    }

    /** The name or pid that was addressed. */
    public String target() {
        return target;
    }
}
