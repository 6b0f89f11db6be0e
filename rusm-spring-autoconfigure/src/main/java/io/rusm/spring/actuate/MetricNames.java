package io.rusm.spring.actuate;

/** Every rusm meter name in one place (Prometheus names in the comments). */
public final class MetricNames {
    private MetricNames() {}

    /** Counter, tags service, supervisor [rusm_process_restarts_total]. */
    public static final String RESTARTS = "rusm.process.restarts";
    /** Counter, tags service, reason [rusm_process_crashes_total]. */
    public static final String CRASHES = "rusm.process.crashes";
    /** Counter, tag supervisor [rusm_supervisor_escalations_total]. */
    public static final String ESCALATIONS = "rusm.supervisor.escalations";
    /** Timer, tags service, method, outcome [rusm_calls_seconds_*]. */
    public static final String CALLS = "rusm.calls";
    /** Counter, tags service, reason (noproc: not running; exited: queued when it ended) [rusm_sends_dropped_total]. */
    public static final String SENDS_DROPPED = "rusm.sends.dropped";
    /** Gauge, tag service [rusm_mailbox_size]. */
    public static final String MAILBOX_SIZE = "rusm.mailbox.size";
    /** Gauge, tag service, for services with a memory cap: retained bytes at the last check [rusm_process_memory_bytes]. */
    public static final String PROCESS_MEMORY = "rusm.process.memory";
    /** Gauge, tag service: timers the running incarnation has active, {@code @Every} included [rusm_timers_active]. */
    public static final String TIMERS_ACTIVE = "rusm.timers.active";
    /** Counter, tags service, outcome (ok, crashed): reminder due times delivered to onReminder [rusm_reminders_fired_total]. */
    public static final String REMINDERS_FIRED = "rusm.reminders.fired";
    /** Gauge, tag service, for keyed services: keys with a live process on this node [rusm_keyed_active]. */
    public static final String KEYED_ACTIVE = "rusm.keyed.active";
    /** Counter, tag service, for keyed services: keys started on demand (first call to a key not running) [rusm_keyed_activations_total]. */
    public static final String KEYED_ACTIVATIONS = "rusm.keyed.activations";
    /** Gauge [rusm_processes_live]. */
    public static final String PROCESSES_LIVE = "rusm.processes.live";
}
