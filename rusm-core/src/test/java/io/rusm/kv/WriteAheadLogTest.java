package io.rusm.kv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded store's log: which records a reopened log hands back. Only the unbroken chain of
 * valid records from the start of the file counts, and of it only what the store had not applied.
 */
@Timeout(60)
class WriteAheadLogTest {
    @TempDir
    Path dir;

    @Test
    void aNewLogHasItsFullSizeAtOnceAndHoldsNothing() throws IOException {
        try (WriteAheadLog log = WriteAheadLog.open(dir, 42)) {
            assertThat(replay(log, 0)).isEmpty();
            assertThat(log.lastSequence()).isZero();
        }
        assertThat(Files.size(dir.resolve(WriteAheadLog.FILE_NAME))).as("written out, never grown by a commit")
                .isEqualTo(WriteAheadLog.CAPACITY);
    }

    @Test
    void recordsComeBackInOrderAfterAReopenAndThoseAppliedAreSkipped() throws IOException {
        try (WriteAheadLog log = WriteAheadLog.open(dir, 42)) {
            log.replay(0, p -> {});
            for (int i = 1; i <= 5; i++) log.append(bytes("r" + i));
        }
        try (WriteAheadLog log = WriteAheadLog.open(dir, 42)) {
            assertThat(replay(log, 0)).containsExactly("r1", "r2", "r3", "r4", "r5");
            assertThat(log.lastSequence()).isEqualTo(5);
        }
        try (WriteAheadLog log = WriteAheadLog.open(dir, 42)) {
            assertThat(replay(log, 3)).as("the store holds 1..3 already").containsExactly("r4", "r5");
            log.append(bytes("r6")); // continues the chain after r5
        }
        try (WriteAheadLog log = WriteAheadLog.open(dir, 42)) {
            assertThat(replay(log, 3)).containsExactly("r4", "r5", "r6");
        }
    }

    @Test
    void afterAStartOverTheOlderPassIsNotReplayed() throws IOException {
        try (WriteAheadLog log = WriteAheadLog.open(dir, 42)) {
            log.replay(0, p -> {});
            for (int i = 1; i <= 6; i++) log.append(bytes("old-" + i + "-with-a-longer-payload"));
            log.startOver(); // a checkpoint made 1..6 durable in the store
            log.append(bytes("new-7"));
            log.append(bytes("new-8"));
        }
        try (WriteAheadLog log = WriteAheadLog.open(dir, 42)) {
            assertThat(replay(log, 6)).as("the old pass's records lie after new-8 in the file").containsExactly("new-7", "new-8");
            assertThat(log.lastSequence()).isEqualTo(8);
        }
        try (WriteAheadLog log = WriteAheadLog.open(dir, 42)) {
            log.replay(8, p -> {});
            log.startOver(); // checkpointed again, nothing appended since: everything in the file is old
        }
        try (WriteAheadLog log = WriteAheadLog.open(dir, 42)) {
            assertThat(replay(log, 8)).isEmpty();
            assertThat(log.lastSequence()).isEqualTo(8);
        }
    }

    @Test
    void aTornRecordEndsTheLog() throws IOException {
        try (WriteAheadLog log = WriteAheadLog.open(dir, 42)) {
            log.replay(0, p -> {});
            log.append(bytes("first"));
            log.append(bytes("second"));
            log.append(bytes("third"));
        }
        // the last record's final payload byte never reached the disk
        long lastByte = 3L * WriteAheadLog.HEADER + "firstsecondthird".length() - 1;
        try (FileChannel file = FileChannel.open(dir.resolve(WriteAheadLog.FILE_NAME), StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.wrap(new byte[]{0}), lastByte);
        }
        try (WriteAheadLog log = WriteAheadLog.open(dir, 42)) {
            assertThat(replay(log, 0)).containsExactly("first", "second");
            assertThat(log.lastSequence()).isEqualTo(2);
            log.append(bytes("third again")); // written over the torn one, with its sequence
        }
        try (WriteAheadLog log = WriteAheadLog.open(dir, 42)) {
            assertThat(replay(log, 0)).containsExactly("first", "second", "third again");
        }
    }

    @Test
    void aLogLeftBesideAnotherStoreHoldsNothingForIt() throws IOException {
        try (WriteAheadLog log = WriteAheadLog.open(dir, 42)) {
            log.replay(0, p -> {});
            log.append(bytes("of store 42"));
        }
        try (WriteAheadLog log = WriteAheadLog.open(dir, 43)) {
            assertThat(replay(log, 0)).isEmpty();
            assertThat(log.lastSequence()).isZero();
        }
    }

    @Test
    void aRecordFitsOnlyBeforeTheEndOfTheFile() throws IOException {
        try (WriteAheadLog log = WriteAheadLog.open(dir, 42)) {
            log.replay(0, p -> {});
            int big = WriteAheadLog.CAPACITY / 2;
            assertThat(log.fits(big)).isTrue();
            log.append(new byte[big]);
            assertThat(log.fits(big)).as("half the file is taken").isFalse();
            log.startOver();
            assertThat(log.fits(big)).isTrue();
            assertThat(WriteAheadLog.everFits(WriteAheadLog.CAPACITY)).as("never: the header needs room too").isFalse();
        }
    }

    private static List<String> replay(WriteAheadLog log, long applied) throws IOException {
        List<String> seen = new ArrayList<>();
        log.replay(applied, p -> {
            byte[] b = new byte[p.remaining()];
            p.get(b);
            seen.add(new String(b, StandardCharsets.UTF_8));
        });
        return seen;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
