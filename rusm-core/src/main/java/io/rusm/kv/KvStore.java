package io.rusm.kv;

import io.rusm.FencedException;
import io.rusm.Kv;
import io.rusm.KvException;
import io.rusm.Pid;
import io.rusm.ProcessContext;
import io.rusm.internal.process.Current;
import io.rusm.internal.process.FiberWakeups;
import io.rusm.internal.process.Process;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A durable store of {@link Kv} entries for every component of an application, and the factory of
 * their namespaced views. Open one per application and close it after the services that use it
 * stopped (Spring does both).
 *
 * <pre>{@code
 * try (KvStore store = KvStore.embedded(Path.of("./rusm-data"))) {
 *     Kv counter = store.forComponent("counter");
 *     counter.put("count", 42L);                      // durable when it returns
 *     long count = counter.get("count", Long.class).orElse(0L);
 * }
 * }</pre>
 *
 * <p>Writes go through group commit: everything pending is applied in one transaction and synced
 * once, by the first caller that finds no commit running (embedded store) or by a dedicated
 * platform thread (JDBC); the other callers park (on a virtual thread this costs no carrier). Reads
 * run on the caller's thread. A read may see a write that is being made durable by a concurrent
 * caller whose {@code put} has not returned yet; once a {@code put} returned, every later read sees
 * it. Stores: {@linkplain #embedded(Path) embedded} (H2 MVStore file, no setup) and
 * {@linkplain #jdbc(DataSource) JDBC} (a table in the application's database). See the README, "Durable state".
 */
public final class KvStore implements AutoCloseable {
    private final Backend backend;
    private final JsonMapper json;
    private final GroupCommitWriter writer;

    private KvStore(Backend backend, JsonMapper json) {
        this.backend = backend;
        this.json = Objects.requireNonNull(json, "json");
        this.writer = new GroupCommitWriter(backend);
    }

    /** A store over any backend; for tests that need to hold or observe the writer. */
    static KvStore over(Backend backend) {
        return new KvStore(backend, JsonMapper.builder().build());
    }

    /** {@link #embedded(Path, JsonMapper)} with a default {@link JsonMapper}. */
    public static KvStore embedded(Path directory) {
        return embedded(directory, JsonMapper.builder().build());
    }

    /**
     * Opens (creating it and its directory if needed) the embedded store in {@code directory}: one
     * file, {@code rusm-kv.mv.db}, locked while open so that one process at a time uses it.
     *
     * @throws KvException if the directory cannot be created or written, or the file is locked by
     *                     another process or another open store, or is not a valid store
     */
    public static KvStore embedded(Path directory, JsonMapper json) {
        return new KvStore(MvStoreBackend.open(Objects.requireNonNull(directory, "directory")), json);
    }

    /** {@link #jdbc(DataSource, JsonMapper)} with a default {@link JsonMapper}. */
    public static KvStore jdbc(DataSource dataSource) {
        return jdbc(dataSource, JsonMapper.builder().build());
    }

    /**
     * A store in the table {@code rusm_kv} of {@code dataSource}'s database, created now if missing.
     *
     * @throws KvException if no connection can be had or the table cannot be created
     */
    public static KvStore jdbc(DataSource dataSource, JsonMapper json) {
        return new KvStore(JdbcBackend.open(Objects.requireNonNull(dataSource, "dataSource")), json);
    }

    /** The {@link Kv} of component {@code name}: its own namespace, isolated from every other's. */
    public Kv forComponent(String name) {
        requireText(name, "component name");
        return new ComponentKv(name);
    }

    /**
     * A {@link Kv} that, at each call, uses the namespace of the resident service whose fiber calls
     * it ({@link ProcessContext#self()}'s name). This is the {@code Kv} rusm injects into services.
     * Called from any other thread it throws {@link IllegalStateException}.
     */
    public Kv forCallingService() {
        return new CallingServiceKv();
    }

    /** Commits made so far; with the embedded store each is one sync. Fewer than writes under concurrency. */
    public long syncCount() {
        return writer.commits();
    }

    /** Writes (puts and deletes) made durable and acknowledged so far. */
    public long writeCount() {
        return writer.acknowledged();
    }

    /** Compaction runs of the embedded store so far; for tests and benchmarks. */
    long compactions() {
        return backend.compactions();
    }

    /** Which store this is and where, e.g. {@code embedded Kv store /srv/app/rusm-data/rusm-kv.mv.db}. */
    public String description() {
        return backend.description();
    }

    /**
     * Makes every write already accepted durable, refuses new ones, and closes the store. Idempotent.
     *
     * @throws KvException if the store could not be closed cleanly (acknowledged writes are durable anyway)
     */
    @Override
    public void close() {
        writer.close();
        try {
            backend.close();
        } catch (Exception e) {
            throw new KvException("could not close the " + backend.description() + " cleanly: " + e, e);
        }
    }

    @Override
    public String toString() {
        return "KvStore[" + description() + "]";
    }

    /** Stores raw bytes as the value of a key, bypassing serialization; for tests of corrupt values. */
    void putRaw(String component, String key, byte[] rawValue) {
        await(writer.submit(Write.put(component, key, rawValue, Current.orNull())), component, key, "write");
    }

    // ---- the operations, by namespace ------------------------------------------------------

    private <T> Optional<T> get(String component, String key, Class<T> type) {
        Current.checkAlive("Kv.get");
        requireText(key, "key");
        Objects.requireNonNull(type, "type");
        byte[] bytes;
        try {
            bytes = backend.read(component, key);
        } catch (Exception e) {
            throw new KvException("cannot read key '" + key + "' of component '" + component + "' from the " + description()
                    + ": " + e, component, key, e);
        }
        if (bytes == null) return Optional.empty();
        try {
            return Optional.ofNullable(json.readValue(bytes, type));
        } catch (JacksonException | IllegalArgumentException e) {
            throw new KvException("the value of key '" + key + "' of component '" + component + "' in the " + description()
                    + " is corrupt or not a " + type.getName() + ": " + message(e), component, key, e);
        }
    }

    private void put(String component, String key, Object value) {
        Process owner = alive("Kv.put");
        requireText(key, "key");
        if (value == null) {
            throw new IllegalArgumentException("cannot put null under key '" + key + "' of component '" + component
                    + "'; use delete(key) to remove a key");
        }
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(value);
        } catch (JacksonException e) {
            throw new KvException("cannot serialize the value for key '" + key + "' of component '" + component + "' ("
                    + value.getClass().getName() + ") to JSON: " + message(e), component, key, e);
        }
        await(writer.submit(Write.put(component, key, bytes, owner)), component, key, "write");
    }

    private boolean delete(String component, String key) {
        Process owner = alive("Kv.delete");
        requireText(key, "key");
        return await(writer.submit(Write.delete(component, key, owner)), component, key, "delete");
    }

    private Set<String> keys(String component, String prefix) {
        Current.checkAlive("Kv.keys");
        Objects.requireNonNull(prefix, "prefix (use \"\" for all keys)");
        try {
            return Collections.unmodifiableSequencedSet(new TreeSet<>(backend.keys(component, prefix)));
        } catch (Exception e) {
            throw new KvException("cannot list the keys of component '" + component + "' in the " + description() + ": " + e, e);
        }
    }

    /**
     * The calling incarnation (null on a plain thread), after failing with {@link FencedException}
     * if it has ended; the writer checks it again when it commits the write.
     */
    private static Process alive(String operation) {
        Current.checkAlive(operation);
        return Current.orNull();
    }

    /**
     * Parks the caller until the writer made its write durable. A caller whose incarnation was
     * killed while it waited (the kill interrupts it) keeps waiting, uninterruptibly, for the
     * writer's verdict, which comes within one commit: the writer either applied the write while
     * the incarnation was alive (then this returns, and the next operation fails) or fenced it
     * ({@link FencedException}: it took no effect). So a dead incarnation is never left unsure.
     */
    private static boolean await(CompletableFuture<Boolean> done, String component, String key, String what) {
        try {
            try {
                return parkUntil(done);
            } catch (InterruptedException e) {
                Process self = Current.orNull();
                if (self == null || self.isAlive()) {
                    Thread.currentThread().interrupt();
                    throw new KvException("interrupted while waiting for the " + what + " of key '" + key + "' of component '"
                            + component + "' to become durable; it may or may not be applied", component, key, e);
                }
                try {
                    return uninterruptibly(done);
                } finally {
                    Thread.currentThread().interrupt();
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            // new exceptions, so the caller's stack is in them; the writer's failure is the cause
            if (cause instanceof FencedException fenced) {
                throw new FencedException(fenced.pid(), (what.equals("delete") ? "Kv.delete" : "Kv.put") + " of key '" + key + "'");
            }
            throw new KvException(cause.getMessage(), component, key, cause);
        }
    }

    /**
     * {@code done.get()}, but parked here rather than in the future: whoever commits wakes this
     * thread through {@link FiberWakeups}, which a fiber next to busy carriers needs (see there).
     * Nothing to wait for, most often, with the embedded store: the caller committed its write itself.
     */
    private static boolean parkUntil(CompletableFuture<Boolean> done) throws InterruptedException, ExecutionException {
        while (!done.isDone()) {
            if (Thread.interrupted()) throw new InterruptedException();
            FiberWakeups.park(done);
        }
        return done.get();
    }

    private static boolean uninterruptibly(CompletableFuture<Boolean> done) throws ExecutionException {
        while (true) {
            try {
                return parkUntil(done);
            } catch (InterruptedException again) {
                // the interrupt is restored by the caller
            }
        }
    }

    private static String message(Exception e) {
        return e instanceof JacksonException je ? je.getOriginalMessage() : e.getMessage();
    }

    private static void requireText(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isEmpty()) throw new IllegalArgumentException(what + " must not be empty");
    }

    /** A fixed namespace. */
    private final class ComponentKv implements Kv {
        private final String component;

        ComponentKv(String component) {
            this.component = component;
        }

        @Override
        public <T> Optional<T> get(String key, Class<T> type) {
            return KvStore.this.get(component, key, type);
        }

        @Override
        public void put(String key, Object value) {
            KvStore.this.put(component, key, value);
        }

        @Override
        public boolean delete(String key) {
            return KvStore.this.delete(component, key);
        }

        @Override
        public Set<String> keys(String prefix) {
            return KvStore.this.keys(component, prefix);
        }

        @Override
        public String toString() {
            return "Kv[" + component + " in " + description() + "]";
        }
    }

    /** The namespace of the calling service, resolved at each call. */
    private final class CallingServiceKv implements Kv {

        @Override
        public <T> Optional<T> get(String key, Class<T> type) {
            return KvStore.this.get(component("get"), key, type);
        }

        @Override
        public void put(String key, Object value) {
            KvStore.this.put(component("put"), key, value);
        }

        @Override
        public boolean delete(String key) {
            return KvStore.this.delete(component("delete"), key);
        }

        @Override
        public Set<String> keys(String prefix) {
            return KvStore.this.keys(component("keys"), prefix);
        }

        private static String component(String operation) {
            if (!ProcessContext.inProcess()) {
                throw new IllegalStateException("Kv." + operation + " was called outside a rusm process (on " + Thread.currentThread()
                        + "): this Kv is namespaced by the resident service that calls it, so call it from a @ResidentService"
                        + " (its constructor, handlers, @PostConstruct and @PreDestroy methods run on the service's fiber;"
                        + " threads the service starts itself are not it). Other code can use KvStore.forComponent(name).");
            }
            Pid self = ProcessContext.self();
            if (!self.isNamed()) {
                throw new IllegalStateException("Kv." + operation + " was called from the anonymous process " + self
                        + ", which has no component name to namespace its keys; use KvStore.forComponent(name)");
            }
            return self.name();
        }

        @Override
        public String toString() {
            return "Kv[of the calling service, in " + description() + "]";
        }
    }
}
