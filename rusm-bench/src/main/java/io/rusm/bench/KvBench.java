package io.rusm.bench;

import io.rusm.Kv;
import io.rusm.kv.KvStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Acknowledged durable puts: 1 or 64 virtual threads each {@code put} a small value and wait until
 * it is durable. {@code rusm-kv}: the embedded store (group commit, one sync per batch);
 * {@code raw-fsync}: what one write + {@code force} per put costs on this disk, with no store and no
 * batching (the sync floor). The directory is {@code -Drusm.bench.kvdir} (default: the temp dir);
 * it must be on a real disk for the figure to mean anything.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "--sun-misc-unsafe-memory-access=allow"})
public class KvBench {
    static final int ONE_WRITER_PUTS = 32;
    static final int WRITERS = 64;
    static final int PUTS_PER_WRITER = 8;
    static final int KEYS = 1_000;

    public record Entry(long sequence, String note) {}

    @Param({"rusm-kv", "raw-fsync"})
    public String system;

    private Path dir;
    private KvStore store;
    private Kv kv;
    private FileChannel channel;
    private final AtomicLong sequence = new AtomicLong();

    @Setup
    public void setup() throws IOException {
        Path parent = Path.of(System.getProperty("rusm.bench.kvdir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(parent);
        dir = Files.createTempDirectory(parent, "kv-bench-");
        if (system.equals("rusm-kv")) {
            store = KvStore.embedded(dir);
            kv = store.forComponent("bench");
        } else {
            channel = FileChannel.open(dir.resolve("raw.log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        if (store != null) {
            System.out.println("\n[kv] writes " + store.writeCount() + ", syncs " + store.syncCount());
            store.close();
        }
        if (channel != null) channel.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    @OperationsPerInvocation(ONE_WRITER_PUTS)
    public long oneWriter() {
        return Load.onVirtualThreads(1, ONE_WRITER_PUTS, this::put);
    }

    @Benchmark
    @OperationsPerInvocation(WRITERS * PUTS_PER_WRITER)
    public long writers64() {
        return Load.onVirtualThreads(WRITERS, PUTS_PER_WRITER, this::put);
    }

    private long put() {
        long n = sequence.incrementAndGet();
        Entry entry = new Entry(n, "note " + n);
        if (kv != null) {
            kv.put("k" + (n % KEYS), entry);
            return n;
        }
        byte[] bytes = (entry.sequence() + " " + entry.note() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            channel.write(ByteBuffer.wrap(bytes), (n % KEYS) * 64);
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }
}
