package io.rusm.kv;

import io.rusm.KvException;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.StringDataType;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The embedded store: one H2 MVStore file, {@value #FILE_NAME}, in the configured directory; one
 * map per namespace. Durability comes from the writer calling {@link MVStore#commit()} then
 * {@link MVStore#sync()} (which is {@code FileChannel.force(true)}) before acknowledging; the
 * store's own background writer is off, so nothing else writes.
 *
 * <p>The file is opened through H2's {@code async:} file system (an {@code AsynchronousFileChannel}):
 * a read on a virtual thread parks instead of blocking its carrier, and, unlike a plain
 * {@code FileChannel}, the channel is not closed for everyone when a reading thread is interrupted
 * (rusm interrupts a fiber it kills).
 */
final class MvStoreBackend implements Backend {
    static final String FILE_NAME = "rusm-kv.mv.db";
    private static final String MAP_PREFIX = "kv:";
    /** Housekeeping rewrites chunks whose live data fell below this percentage. */
    private static final int COMPACT_FILL_RATE = 50;
    private static final int COMPACT_WRITE_BYTES = 4 << 20;

    private final Path file;
    private final MVStore store;
    private final ConcurrentHashMap<String, MVMap<String, byte[]>> maps = new ConcurrentHashMap<>();
    private final ReentrantLock opening = new ReentrantLock();

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
                    .fileName("async:" + file)
                    .autoCommitDisabled()       // no background writer: only our writer commits
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
        return new MvStoreBackend(file, store);
    }

    @Override
    public String description() {
        return "embedded Kv store " + file;
    }

    @Override
    public byte[] read(String namespace, String key) {
        MVMap<String, byte[]> map = existingMap(namespace);
        return map == null ? null : map.get(key);
    }

    @Override
    public List<String> keys(String namespace, String prefix) {
        List<String> keys = new ArrayList<>();
        MVMap<String, byte[]> map = existingMap(namespace);
        if (map == null) return keys;
        for (Iterator<String> it = map.keyIterator(prefix); it.hasNext(); ) {
            String key = it.next();
            if (!key.startsWith(prefix)) break; // keys are sorted: past the prefix range
            keys.add(key);
        }
        return keys;
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

    /** Rewrites sparse chunks so the file does not grow without bound, then syncs that too. */
    @Override
    public void idle() {
        if (store.compact(COMPACT_FILL_RATE, COMPACT_WRITE_BYTES) || store.hasUnsavedChanges()) {
            store.commit();
            store.sync();
        }
    }

    @Override
    public void close() {
        store.close();
    }

    /** The namespace's map, created if needed: only the writer thread creates maps (creating one writes). */
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
