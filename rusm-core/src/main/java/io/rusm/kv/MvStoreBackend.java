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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
 * The embedded store: one H2 MVStore file, {@value #FILE_NAME}, in the configured directory (one
 * map per namespace), and its log, {@value WriteAheadLog#FILE_NAME}, a file of fixed size.
 * Durability comes from the log: a group commit's writes are appended to it as one record and
 * synced ({@code fdatasync}) before they are applied to the maps and acknowledged. The MVStore is
 * committed and synced only at a checkpoint — when the log is full, when the maps hold
 * {@value #CHECKPOINT_UNSAVED_BYTES} bytes not yet written, when the store is idle or closed —
 * after which the log starts over; opening replays what the log holds beyond the last
 * checkpoint. Why not {@link MVStore#commit()} and {@link MVStore#sync()} per group commit, as
 * before: each wrote a chunk and the store header, about 12 µs of CPU plus two writes per sync,
 * and a single writer reached 61% of a bare write + sync; with the log it reaches the bare sync's
 * rate (BENCHMARKS.md). The store's own background writer is off, so nothing else writes.
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
 * chunk (about 16 KB: the rewritten leaf, its parents and the layout page) per commit, that kept
 * 45 s of commits in the file: 330 MB after 20,000 puts to 1,000 keys. Here every store commit is
 * followed by an fsync before the next, so a chunk is dead only once a newer one is durable, and
 * the retention time is 0: dead chunks' space is reused at the next checkpoint. Reads register
 * the version they read ({@link MVStore#registerVersionUsage()}), so no chunk a read may still
 * need is overwritten under it. Live pages of sparse chunks are moved forward by a small
 * compaction step after every checkpoint that commits need, and when idle ({@value #STEP_WRITE_BYTES}
 * bytes at most, written by the next checkpoint), which keeps the chunks dense; when the store is
 * idle, a file much larger than its chunks is compacted and truncated. The log never grows.
 * Measured (README, BENCHMARKS.md): 1,000,000 puts over 1,000 keys leave a file of about 0.1 MB.
 */
final class MvStoreBackend implements Backend {
    private static final Logger log = LoggerFactory.getLogger(MvStoreBackend.class);
    static final String FILE_NAME = "rusm-kv.mv.db";
    private static final String MAP_PREFIX = "kv:";
    /** The compaction step rewrites chunks whose live data fell below this percentage. */
    private static final int COMPACT_FILL_RATE = 80;
    static final int STEP_WRITE_BYTES = 256 << 10;
    /** When idle, a file whose chunks fill less than this percentage of it is compacted and truncated. */
    private static final int SHRINK_BELOW_FILE_FILL = 50;
    private static final long SHRINK_MOVE_BYTES = 16 << 20;
    /** Off only to measure what compaction costs ({@code -Drusm.kv.compaction=false}, benchmarks). */
    private static final boolean COMPACTION = !"false".equals(System.getProperty("rusm.kv.compaction"));

    private final Path file;
    private final MVStore store;
    /** Where commits are made durable between checkpoints; null only while opening. */
    private WriteAheadLog journal;
    /** The store's own record of the log (below); null only while opening. */
    private MVMap<String, Long> logState;
    /** The store's own record of the log: the sequence of the last commit a checkpoint holds, and the store's id. */
    private static final String LOG_MAP = "rusm:log", APPLIED = "applied", STORE_ID = "store-id";
    /** A checkpoint also comes once the maps hold this much not written to the store file (their pages in memory). */
    static final int CHECKPOINT_UNSAVED_BYTES = 4 << 20;
    private final ConcurrentHashMap<String, MVMap<String, byte[]>> maps = new ConcurrentHashMap<>();
    private final ReentrantLock opening = new ReentrantLock();
    private final AtomicLong compactions = new AtomicLong();
    private final AtomicLong checkpoints = new AtomicLong();

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
        MvStoreBackend backend = new MvStoreBackend(file, store);
        try {
            backend.recover(dir);
        } catch (IOException | RuntimeException e) {
            backend.crash();
            throw new KvException("cannot open the embedded Kv store " + file + ": its log " + dir.resolve(WriteAheadLog.FILE_NAME)
                    + " could not be read or written (" + e + ")", e);
        }
        return backend;
    }

    /**
     * Opens the log, applies to the maps every commit it holds that the store file does not have
     * yet (a crash since the last checkpoint), and checkpoints them, so the log starts over.
     */
    private void recover(Path dir) throws IOException {
        logState = store.openMap(LOG_MAP, new MVMap.Builder<String, Long>().keyType(StringDataType.INSTANCE));
        Long id = logState.get(STORE_ID);
        if (id == null) logState.put(STORE_ID, id = new java.security.SecureRandom().nextLong()); // kept by the checkpoint below
        journal = WriteAheadLog.open(dir, id);
        Long applied = logState.get(APPLIED);
        journal.replay(applied == null ? 0 : applied, payload -> apply(Op.decode(payload)));
        checkpoint();
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

    /**
     * The writes of one group commit, kept aside until {@link Transaction#commit()} has made them
     * durable in the log; only then do they reach the maps, so a reader never sees a write that is
     * not durable, and a failed commit leaves nothing to undo.
     */
    @Override
    public Transaction begin() {
        return new Transaction() {
            private final List<Op> ops = new ArrayList<>();
            /** Keys this transaction wrote so far, and whether they then had a value: for a later delete's answer. */
            private final java.util.Map<String, Boolean> present = new java.util.HashMap<>();

            @Override
            public void put(String namespace, String key, byte[] value) {
                ops.add(new Op(namespace, key, value));
                present.put(namespace + '\0' + key, true);
            }

            @Override
            public boolean delete(String namespace, String key) {
                Boolean had = present.put(namespace + '\0' + key, false);
                boolean existed = had != null ? had : exists(namespace, key);
                if (existed) ops.add(new Op(namespace, key, null));
                return existed;
            }

            @Override
            public void commit() throws IOException {
                if (ops.isEmpty()) return;
                byte[] payload = Op.encode(ops);
                if (!WriteAheadLog.everFits(payload.length)) {
                    commitThroughStore(ops); // larger than the whole log: straight into the store file
                    return;
                }
                if (!journal.fits(payload.length) || store.getUnsavedMemory() > CHECKPOINT_UNSAVED_BYTES) {
                    checkpoint();
                    compactionStep();
                }
                journal.append(payload);
                apply(ops);
            }

            @Override
            public void rollback() {
                // nothing reached the maps (see commit)
            }
        };
    }

    private void apply(List<Op> ops) {
        for (Op op : ops) op.applyTo(map(op.namespace()));
    }

    private boolean exists(String namespace, String key) {
        MVMap<String, byte[]> map = existingMap(namespace);
        return map != null && map.containsKey(key);
    }

    /**
     * A commit too large for the log: applied to the maps and checkpointed at once. If the
     * checkpoint fails, the maps are put back as they were, so they hold only what is durable.
     */
    private void commitThroughStore(List<Op> ops) {
        List<Op> undo = new ArrayList<>(ops.size());
        for (Op op : ops) {
            MVMap<String, byte[]> map = map(op.namespace());
            undo.add(new Op(op.namespace(), op.key(), map.get(op.key())));
            op.applyTo(map);
        }
        try {
            checkpoint();
        } catch (RuntimeException e) {
            for (int i = undo.size() - 1; i >= 0; i--) undo.get(i).applyTo(map(undo.get(i).namespace()));
            throw e;
        }
    }

    /**
     * Writes everything the maps hold to the store file and syncs it, with the log's sequence, so
     * the log can start over. Under the commit turn.
     */
    private void checkpoint() {
        logState.put(APPLIED, journal.lastSequence());
        store.commit();
        store.sync();
        journal.startOver();
        checkpoints.incrementAndGet();
    }

    /**
     * After each checkpoint a commit needed, and when idle: rewrites the live pages of sparse chunks into the current
     * version (at most {@value #STEP_WRITE_BYTES} bytes), which the next checkpoint writes and syncs;
     * their old chunks die then, and their space is reused by the checkpoints after. Nothing here
     * is acknowledged to anyone, so a crash in between loses nothing: the rewritten pages are
     * copies of durable ones.
     */
    private void compactionStep() {
        if (!COMPACTION) return;
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
     * When nothing has been written for a while: a compaction step, then a checkpoint of the log's
     * commits and of what the steps rewrote, and, if the file is much larger than its chunks (after
     * a burst, or a file grown by an older version), moves up to {@value #SHRINK_MOVE_BYTES} bytes
     * of chunks down and truncates it.
     */
    @Override
    public void idle() {
        compactionStep();
        if (store.hasUnsavedChanges()) checkpoint();
        if (COMPACTION && store.getFileStore() instanceof RandomAccessStore file && store.getFillRate() < SHRINK_BELOW_FILE_FILL) {
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

    /** Checkpoints so far (the store file written and synced), opening's included; for tests. */
    long checkpoints() {
        return checkpoints.get();
    }

    /** The size of the store file now, in bytes. */
    long fileSize() {
        return store.getFileStore().size();
    }

    @Override
    public void close() throws IOException {
        try {
            if (store.hasUnsavedChanges()) checkpoint();
            store.close();
        } finally {
            journal.close();
        }
    }

    /** Drops the store without writing anything, as a crash would; for tests. */
    void crash() {
        store.closeImmediately();
        try {
            if (journal != null) journal.close();
        } catch (IOException ignored) {
            // as a crash would
        }
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

    /** One write of a commit, as the log holds it: a put, or (a null value) a delete. */
    record Op(String namespace, String key, byte[] value) {
        void applyTo(MVMap<String, byte[]> map) {
            if (value == null) map.remove(key);
            else map.put(key, value);
        }

        /** count, then per write: namespace, key (UTF-8, length first), value length (-1: a delete) and bytes */
        static byte[] encode(List<Op> ops) {
            int size = 4;
            byte[][] names = new byte[ops.size() * 2][];
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                names[2 * i] = op.namespace.getBytes(StandardCharsets.UTF_8);
                names[2 * i + 1] = op.key.getBytes(StandardCharsets.UTF_8);
                size += 12 + names[2 * i].length + names[2 * i + 1].length + (op.value == null ? 0 : op.value.length);
            }
            ByteBuffer out = ByteBuffer.allocate(size).putInt(ops.size());
            for (int i = 0; i < ops.size(); i++) {
                byte[] value = ops.get(i).value;
                out.putInt(names[2 * i].length).put(names[2 * i]).putInt(names[2 * i + 1].length).put(names[2 * i + 1]);
                if (value == null) out.putInt(-1);
                else out.putInt(value.length).put(value);
            }
            return out.array();
        }

        static List<Op> decode(ByteBuffer in) {
            int count = in.getInt();
            List<Op> ops = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String namespace = string(in), key = string(in);
                int length = in.getInt();
                byte[] value = null;
                if (length >= 0) in.get(value = new byte[length]);
                ops.add(new Op(namespace, key, value));
            }
            return ops;
        }

        private static String string(ByteBuffer in) {
            byte[] bytes = new byte[in.getInt()];
            in.get(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
