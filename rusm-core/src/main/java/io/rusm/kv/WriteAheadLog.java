package io.rusm.kv;

import org.h2.mvstore.DataUtils;
import org.h2.store.fs.FilePath;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The embedded store's log of group commits, {@value #FILE_NAME}: a file of fixed size, written
 * from its start after each checkpoint, one record per commit, each made durable with one
 * {@code fdatasync} before the commit is acknowledged.
 *
 * <p><b>Why.</b> An MVStore commit writes a chunk and, when it reuses space (which keeps its file
 * bounded), its store header too, and costs some 12 µs of CPU; synced per commit, a single writer
 * reached 61% of a bare write + sync (BENCHMARKS.md). A record overwriting space the file already
 * has changes no file metadata, so its sync is the cheapest the disk can do. The MVStore is
 * committed and synced only at a checkpoint ({@link MvStoreBackend}), after which the log starts
 * over.
 *
 * <p><b>Which records count.</b> Each record carries a sequence number, one more than the record
 * before it, and a CRC32C of the store's id, its sequence, length and payload (so a log left
 * beside another store file, say one deleted and created anew, holds nothing for it). Reading from the start, the log is
 * the chain of valid records each one after the other; it ends at the first that is not (a torn
 * write, the zeros of a new file, or a record of the pass before the last checkpoint, whose
 * sequence is lower). So a record is part of the log only if every record before it was made
 * durable first — which holds, since one record is synced before the next is written.
 *
 * <p>Opened through H2's {@code retry:} file system, like the store itself: an interrupt of the
 * committing fiber reopens the channel and retries instead of failing the commit.
 */
final class WriteAheadLog implements AutoCloseable {
    static final String FILE_NAME = "rusm-kv.wal";
    /** The file's fixed size; a checkpoint starts it over before a record would pass its end. */
    static final int CAPACITY = 4 << 20;
    private static final int MAGIC = 0x52574131; // "RWA1"
    /** magic, sequence, payload length, CRC32C */
    static final int HEADER = 4 + 8 + 4 + 4;

    private final Path file;
    private final FileChannel channel;
    /** The id of the store file this log belongs to: part of every record's CRC. */
    private final long storeId;
    private int position;
    private long lastSequence;

    private WriteAheadLog(Path file, FileChannel channel, long storeId) {
        this.file = file;
        this.channel = channel;
        this.storeId = storeId;
    }

    /**
     * Opens the log in {@code directory}, creating it at full size (zeros, synced, and its
     * directory entry synced) if it is missing or short; then call {@link #replay}.
     */
    static WriteAheadLog open(Path directory, long storeId) throws IOException {
        Path file = directory.resolve(FILE_NAME);
        FileChannel channel = FilePath.get("retry:" + file).open("rw");
        try {
            if (channel.size() < CAPACITY) {
                // Written, not just sized: blocks allocated now keep every later sync a data-only one.
                ByteBuffer zeros = ByteBuffer.allocate(64 << 10);
                for (long at = channel.size(); at < CAPACITY; at += zeros.capacity()) {
                    zeros.clear().limit((int) Math.min(zeros.capacity(), CAPACITY - at));
                    DataUtils.writeFully(channel, at, zeros);
                }
                channel.force(true);
                syncDirectory(directory);
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new WriteAheadLog(file, channel, storeId);
    }

    /** A new file's directory entry, so the file itself survives a power loss. */
    private static void syncDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every platform can sync a directory (Windows); the data's own syncs still hold
        }
    }

    /**
     * Hands the payload of every record of the log with a sequence above {@code applied} to
     * {@code apply}, in order; afterwards the log continues after the last record of the chain.
     */
    void replay(long applied, Consumer<ByteBuffer> apply) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        int at = 0;
        long last = -1;
        while (at + HEADER <= CAPACITY) {
            // the file is at least CAPACITY long (open), so these reads never reach its end
            DataUtils.readFully(channel, at, header.clear());
            if (header.getInt() != MAGIC) break;
            long sequence = header.getLong();
            int length = header.getInt();
            int crc = header.getInt();
            if (length < 0 || length > CAPACITY - at - HEADER) break;
            if (last >= 0 && sequence != last + 1) break; // the pass before the last checkpoint
            ByteBuffer payload = ByteBuffer.allocate(length);
            DataUtils.readFully(channel, at + HEADER, payload);
            if (crc(sequence, length, payload.array()) != crc) break; // torn, or another store's
            if (sequence > applied) apply.accept(payload);
            last = sequence;
            at += HEADER + length;
        }
        position = last >= 0 ? at : 0;
        lastSequence = Math.max(applied, last);
    }

    /** The sequence of the last record (or what the store had applied when the log was empty). */
    long lastSequence() {
        return lastSequence;
    }

    /** Whether a record with a payload of {@code length} bytes fits before the end of the file. */
    boolean fits(int length) {
        return (long) position + HEADER + length <= CAPACITY;
    }

    /** Whether a payload of {@code length} bytes could ever fit, right after a checkpoint. */
    static boolean everFits(int length) {
        return HEADER + (long) length <= CAPACITY;
    }

    /**
     * Appends {@code payload} as the next record and makes it durable. If this throws, the record
     * may or may not be durable, and the next append writes its own record in the same place with
     * the same sequence (so at most one of them is ever part of the log).
     */
    void append(byte[] payload) throws IOException {
        long sequence = lastSequence + 1;
        ByteBuffer record = ByteBuffer.allocate(HEADER + payload.length);
        record.putInt(MAGIC).putLong(sequence).putInt(payload.length).putInt(crc(sequence, payload.length, payload)).put(payload).flip();
        DataUtils.writeFully(channel, position, record);
        channel.force(false); // the file's size never changes: data only
        position += record.capacity();
        lastSequence = sequence;
    }

    /** After a checkpoint made every record durable in the store: the next record goes first in the file. */
    void startOver() {
        position = 0;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return file.toString();
    }

    private int crc(long sequence, int length, byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(20).putLong(storeId).putLong(sequence).putInt(length).flip());
        crc.update(payload, 0, length);
        return (int) crc.getValue();
    }
}
