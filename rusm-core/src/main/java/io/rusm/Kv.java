package io.rusm;

import java.util.Optional;
import java.util.Set;

/**
 * Durable key-value state of one component (resident service): what a service keeps across
 * restarts, crashes and redeployments, while its fields reset with every incarnation.
 *
 * <pre>{@code
 * @ResidentService("counter")
 * public class Counter {
 *     private final Kv kv;
 *     private long count;
 *
 *     public Counter(Kv kv) {                                  // injected by rusm's Spring support
 *         this.kv = kv;
 *         this.count = kv.get("count", Long.class).orElse(0L); // state survives a crash
 *     }
 *
 *     public long bump() {
 *         count++;
 *         kv.put("count", count);                              // durable when it returns
 *         return count;
 *     }
 * }
 * }</pre>
 *
 * <h2>Namespaces</h2>
 * Every {@code Kv} is namespaced by a component name: two components never see each other's keys,
 * even when they use the same key. The {@code Kv} injected into a service resolves its namespace
 * from the calling process ({@link ProcessContext#self()}) at each call; code that is not a service
 * gets a fixed namespace from {@code KvStore.forComponent(name)}.
 *
 * <h2>Values</h2>
 * Values are serialized to JSON with Jackson 3 (records, maps, lists, boxed primitives, strings and
 * Jackson-annotated classes all work). {@link #get} reads them back as the given type; a {@code
 * List<MyRecord>} therefore comes back as a list of maps unless read as an array type ({@code
 * MyRecord[].class}) or wrapped in a record. Treat values as immutable snapshots: changing an object
 * after {@code put} changes nothing stored.
 *
 * <h2>Durability</h2>
 * {@link #put} and {@link #delete} return only once the change is durable: a JVM killed (or a
 * machine losing power, for the embedded store) right after loses nothing they acknowledged.
 * Concurrent writers share one sync (group commit), so many writers do not cost one sync each. A
 * write that failed with a {@link KvException} may or may not have been applied.
 *
 * <h2>Dead means dead</h2>
 * Called from the fiber of an incarnation that has ended (killed, crashed, stopped), every method
 * throws {@link FencedException} and takes no effect, even a {@code put} already queued for the
 * group commit when the incarnation ended: the writer checks each write's incarnation when it
 * commits the batch, so an ended incarnation's write never lands after its successor's.
 *
 * <p>All methods may be called from any thread, including virtual threads; they never pin a carrier.
 *
 * @see KvException
 */
public interface Kv {

    /**
     * The value stored under {@code key}, read as {@code type}, or empty if there is none.
     *
     * @throws KvException if the stored value cannot be read as {@code type} (corrupt, or written as
     *                     another type); the message names the key and the component
     */
    <T> Optional<T> get(String key, Class<T> type);

    /**
     * Stores {@code value} under {@code key}, replacing what was there, and returns once the write is
     * durable.
     *
     * @param value a non-null value Jackson can serialize; use {@link #delete} to remove a key
     * @throws KvException if the value cannot be serialized or the store cannot write it
     */
    void put(String key, Object value);

    /**
     * Removes {@code key} and returns once the removal is durable.
     *
     * @return whether there was a value under {@code key}
     */
    boolean delete(String key);

    /** The keys that start with {@code prefix} ({@code ""} for all), in ascending {@link String} order. */
    Set<String> keys(String prefix);
}
