package io.rusm;

/**
 * Counts of one keyed service's family on this node ({@link Node#keyedStats(String)}): what health,
 * {@code /actuator/rusm} and metrics show instead of one entry per key.
 *
 * @param service      the keyed service's name
 * @param running      whether the family runs (keys can be activated)
 * @param liveKeys     keys with a live process now
 * @param activations  key processes started on demand so far (a restart is not an activation)
 * @param restarts     key processes restarted after a crash so far
 * @param idleStops    keys stopped after their idle timeout so far
 * @param gaveUp       times a key exceeded its restart intensity and was left stopped
 */
public record KeyedStats(String service, boolean running, int liveKeys, long activations, long restarts, long idleStops,
                         long gaveUp) {}
