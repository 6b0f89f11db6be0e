package io.rusm;

/** When a supervisor restarts a child that exited. */
public enum RestartType {
    /** Always. */
    PERMANENT,
    /** Only after an abnormal exit (anything but {@code normal} or {@code shutdown}). */
    TRANSIENT,
    /** Never. */
    TEMPORARY;

    /** Whether a child of this type that exited with {@code reason} is restarted. */
    public boolean restartsAfter(ExitReason reason) {
        return switch (this) {
            case PERMANENT -> true;
            case TRANSIENT -> !reason.isNormal();
            case TEMPORARY -> false;
        };
    }

    /** The configuration spelling: {@code permanent}, {@code transient}, {@code temporary}. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
