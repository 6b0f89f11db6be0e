package io.rusm.kv;

import io.rusm.KvException;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.RandomAccessStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.StringDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The embedded store: one H2 MVStore file, {@value #FILE_NAME}, in the configured directory; one
 * map per namespace. Durability comes from the group commit calling {@link MVStore#commit()} then
 * {@link MVStore#sync()} (which is {@code FileChannel.force(true)}) before acknowledging; the
 * store's own background writer is off, so nothing else writes.
 *
 * <p>The file is opened through H2's {@code retry:} file system: a plain {@code FileChannel} that is
 * reopened (and its lock taken again) and the operation retried when an interrupt closed it — an
 * interrupt closes a {@code FileChannel} for every thread, and rusm interrupts a fiber it kills,
 * perhaps in the middle of a read or of a commit it runs. A plain channel rather than H2's
 * {@code async:} one (an {@code AsynchronousFileChannel}, which is never closed by an interrupt):
 * that one runs every write on a pool thread, which then wakes the writing fiber — through the
 * virtual-thread scheduler's external queue, behind every busy carrier — whereas
 * {@code FileChannel.force} blocks the fiber's own carrier and needs no wake-up (the JDK lends the
 * scheduler a spare carrier only while few are active: see the time slice in
 * {@code GroupCommitWriter}). That is what lets a caller run its own commit ({@link #callerCommits()}). A
 * read that misses H2's page cache blocks its carrier for the read, as any file read does.
 *
 * <p><b>Bounded file.</b> MVStore never overwrites a live chunk; a superseded chunk's space is reused
 * only after the store's retention time (45 s by default, for disks that flush late). With one
 * chunk (about 16 KB: the rewritten leaf, its parents and the layout page) per group commit, that
 * kept 45 s of commits in the file: 330 MB after 20,000 puts to 1,000 keys. Here every commit is
 * followed by an fsync before it is acknowledged and before the next commit, so a chunk is dead
 * only once a newer one is durable, and the retention time is 0: dead chunks' space is reused at
 * the next commit. Reads register the version they read ({@link MVStore#registerVersionUsage()}),
 * so no chunk a read may still need is overwritten under it. Live pages of sparse chunks are
 * moved forward by a small compaction step after every {@value #COMPACT_EVERY_COMMITS} commits
 * ({@value #STEP_WRITE_BYTES} bytes at most, written by the next commit), which keeps the chunks
 * dense; when the store is idle, a file much larger than its chunks is compacted and truncated.
 * Measured (README, BENCHMARKS.md): 1,000,000 puts over 1,000 keys leave a file of about 0.1 MB.
 */
final class MvStoreBackend implements Backend {
    private static final Logger log = LoggerFactory.getLogger(MvStoreBackend.class);
    static final String FILE_NAME = "rusm-kv.mv.db";
    private static final String MAP_PREFIX = "kv:";
    /** The compaction step rewrites chunks whose live data fell below this percentage. */
    private static final int COMPACT_FILL_RATE = 80;
    static final int COMPACT_EVERY_COMMITS = 64;
    static final int STEP_WRITE_BYTES = 256 << 10;
    /** When idle, a file whose chunks fill less than this percentage of it is compacted and truncated. */
    private static final int SHRINK_BELOW_FILE_FILL = 50;
    private static final long SHRINK_MOVE_BYTES = 16 << 20;
    /** Off only to measure what compaction costs ({@code -Drusm.kv.compaction=false}, benchmarks). */
    private static final boolean COMPACTION = !"false".equals(System.getProperty("rusm.kv.compaction"));

    private final Path file;
    private final MVStore store;
    private final ConcurrentHashMap<String, MVMap<String, byte[]>> maps = new ConcurrentHashMap<>();
    private final ReentrantLock opening = new ReentrantLock();
    private int commitsSinceStep; // under the writer's commit turn
    private final AtomicLong compactions = new AtomicLong();

    private MvStoreBackend(Path file, MVStore store) {
        this.file = file;
        this.store = store;
    }

    /** Opens (creating if needed) the store in {@code directory}. */
    static MvStoreBackend open(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw new KvException("cannot open the embedded Kv store: " + dir + " must be a directory, but a file is in the way ("
                    + e.getFile() + ")", e);
        } catch (IOException | SecurityException e) {
            throw new KvException("cannot open the embedded Kv store: cannot create the directory " + dir + " ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
        if (!Files.isDirectory(dir)) {
            throw new KvException("cannot open the embedded Kv store: " + dir + " is not a directory", null);
        }
        if (!Files.isWritable(dir)) {
            throw new KvException("cannot open the embedded Kv store: the directory " + dir + " is not writable", null);
        }
        Path file = dir.resolve(FILE_NAME);
        MVStore store;
        try {
            store = new MVStore.Builder()
                    .fileName("retry:" + file)
                    .autoCommitDisabled()       // no background writer: only our group commit commits
                    .autoCommitBufferSize(0)    // and never in the middle of a batch
                    .open();
        } catch (MVStoreException e) {
            if (e.getErrorCode() == DataUtils.ERROR_FILE_LOCKED) {
                throw new KvException("cannot open the embedded Kv store " + file + ": the file is locked by another process"
                        + " (or another open store in this JVM); one running instance at a time may use a Kv directory", e);
            }
            throw new KvException("cannot open the embedded Kv store " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new KvException("cannot open the embedded Kv store " + file + ": " + e, e);
        }
        if (store.getFileStore().isReadOnly()) { // H2 silently opens an unwritable file read-only
            store.closeImmediately();
            throw new KvException("cannot open the embedded Kv store " + file + ": the file is not writable", null);
        }
        store.setRetentionTime(0); // see the class comment: every commit is synced before the next
        return new MvStoreBackend(file, store);
    }

    @Override
    public String description() {
        return "embedded Kv store " + file;
    }

    /** Yes: file I/O only, retried after an interrupt (see the class comment). */
    @Override
    public boolean callerCommits() {
        return true;
    }

    @Override
    public byte[] read(String namespace, String key) {
        MVStore.TxCounter reading = store.registerVersionUsage();
        try {
            MVMap<String, byte[]> map = existingMap(namespace);
            return map == null ? null : map.get(key);
        } finally {
            store.deregisterVersionUsage(reading);
        }
    }

    @Override
    public List<String> keys(String namespace, String prefix) {
        MVStore.TxCounter reading = store.registerVersionUsage();
        try {
            List<String> keys = new ArrayList<>();
            MVMap<String, byte[]> map = existingMap(namespace);
            if (map == null) return keys;
            for (Iterator<String> it = map.keyIterator(prefix); it.hasNext(); ) {
                String key = it.next();
                if (!key.startsWith(prefix)) break; // keys are sorted: past the prefix range
                keys.add(key);
            }
            return keys;
        } finally {
            store.deregisterVersionUsage(reading);
        }
    }

    @Override
    public Transaction begin() {
        return new Transaction() {
            @Override
            public void put(String namespace, String key, byte[] value) {
                map(namespace).put(key, value);
            }

            @Override
            public boolean delete(String namespace, String key) {
                MVMap<String, byte[]> map = existingMap(namespace);
                return map != null && map.remove(key) != null;
            }

            @Override
            public void commit() {
                store.commit();
                store.sync();
                compactionStep();
            }

            @Override
            public void rollback() {
                try {
                    store.rollback();
                    maps.clear(); // maps created in this transaction are gone
                } catch (RuntimeException ignored) {
                    // the store panicked (I/O error) and closed itself: later writes report that
                }
            }
        };
    }

    /**
     * Every {@value #COMPACT_EVERY_COMMITS} commits, after the commit was synced: rewrites the live
     * pages of sparse chunks into the current version (at most {@value #STEP_WRITE_BYTES} bytes),
     * which the next commit writes and syncs with its own writes; their old chunks die then, and
     * their space is reused by the commits after. Nothing here is acknowledged to anyone, so a
     * crash in between loses nothing: the rewritten pages are copies of durable ones.
     */
    private void compactionStep() {
        if (!COMPACTION || ++commitsSinceStep < COMPACT_EVERY_COMMITS) return;
        commitsSinceStep = 0;
        try {
            if (store.compact(COMPACT_FILL_RATE, STEP_WRITE_BYTES)) compactions.incrementAndGet();
        } catch (RuntimeException e) {
            // The commit is durable by now: a step that failed (an I/O error; MVStore also takes
            // its lock for the step interruptibly) must not report the batch as failed. The next
            // step does the work.
            if (e.getCause() instanceof InterruptedException) Thread.currentThread().interrupt();
            log.debug("rusm Kv compaction step skipped for {}: {}", description(), e.toString());
        }
    }

    /**
     * When nothing has been written for a while: writes what the last compaction step
     * rewrote, and, if the file is much larger than its chunks (after a burst, or a file grown by
     * an older version), moves up to {@value #SHRINK_MOVE_BYTES} bytes of chunks down and truncates it.
     */
    @Override
    public void idle() {
        if (!COMPACTION) return;
        if (store.compact(COMPACT_FILL_RATE, STEP_WRITE_BYTES)) compactions.incrementAndGet();
        if (store.hasUnsavedChanges()) {
            store.commit();
            store.sync();
        }
        if (store.getFileStore() instanceof RandomAccessStore file && store.getFillRate() < SHRINK_BELOW_FILE_FILL) {
            // moves chunks into the holes and truncates; syncs before it overwrites or truncates anything
            file.compactMoveChunks(SHRINK_BELOW_FILE_FILL, SHRINK_MOVE_BYTES, store);
            compactions.incrementAndGet();
        }
    }

    /** Compaction steps that rewrote something, and idle shrinks; for tests and benchmarks. */
    @Override
    public long compactions() {
        return compactions.get();
    }

    /** The size of the store file now, in bytes. */
    long fileSize() {
        return store.getFileStore().size();
    }

    @Override
    public void close() {
        store.close();
    }

    /** Drops the store without writing anything, as a crash would; for tests. */
    void crash() {
        store.closeImmediately();
    }

    /** The namespace's map, created if needed: only the commit turn's holder creates maps (creating one writes). */
    private MVMap<String, byte[]> map(String namespace) {
        MVMap<String, byte[]> map = maps.get(namespace);
        return map != null ? map : openMap(namespace);
    }

    /** The namespace's map, or null if nothing was ever written to it; never writes. */
    private MVMap<String, byte[]> existingMap(String namespace) {
        MVMap<String, byte[]> map = maps.get(namespace);
        if (map != null) return map;
        return store.hasMap(MAP_PREFIX + namespace) ? openMap(namespace) : null;
    }

    private MVMap<String, byte[]> openMap(String namespace) {
        opening.lock();
        try {
            return maps.computeIfAbsent(namespace, ns -> store.openMap(MAP_PREFIX + ns,
                    new MVMap.Builder<String, byte[]>().keyType(StringDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE)));
        } finally {
            opening.unlock();
        }
    }
}
