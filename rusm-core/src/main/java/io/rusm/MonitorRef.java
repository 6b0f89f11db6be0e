package io.rusm;

/** Identifies one monitor, so a watcher can tell its {@link Down}s apart and demonitor. */
public record MonitorRef(Pid watcher, Pid target, long id) {}
