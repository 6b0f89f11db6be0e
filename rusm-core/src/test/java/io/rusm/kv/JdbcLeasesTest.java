package io.rusm.kv;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Epochs and leases on a real PostgreSQL: one owner at a time, a lease runs out or is given back,
 * renewals in one batch, and the two locks the cluster relies on: taking a name waits for the writes
 * in flight under the old epoch, and renewing a lease never waits behind a writer.
 */
@Timeout(120)
class JdbcLeasesTest {
    private static final Duration LEASE = Duration.ofSeconds(1);
    private static LocalPostgres postgres;
    private JdbcLeases leases;

    @BeforeAll
    static void start() throws Exception {
        postgres = LocalPostgres.start();
    }

    @AfterAll
    static void stop() {
        if (postgres != null) postgres.close();
    }

    @BeforeEach
    void fresh() throws Exception {
        postgres.execute("DROP TABLE IF EXISTS " + JdbcLeases.TABLE);
        postgres.execute("DROP TABLE IF EXISTS " + JdbcLeases.LEASES);
        leases = JdbcLeases.open(postgres.dataSource());
    }

    @Test
    void oneOwnerAtATimeUntilTheLeaseIsGivenBackOrRunsOut() {
        assertThat(leases.acquire("counter", "a", LEASE)).hasValue(1);
        assertThat(leases.acquire("counter", "b", LEASE)).as("a's lease runs").isEmpty();
        assertThat(leases.current("counter")).hasValueSatisfying(h -> {
            assertThat(h.epoch()).isEqualTo(1);
            assertThat(h.owner()).isEqualTo("a");
            assertThat(h.leaseLeftMillis()).isPositive();
        });
        leases.release("counter", 1);
        assertThat(leases.current("counter").orElseThrow().leaseLeftMillis()).isZero();
        assertThat(leases.acquire("counter", "b", LEASE)).as("given back: b takes it at once").hasValue(2);
        assertThat(leases.renew("counter", 1, LEASE)).as("a's old epoch").isFalse();
        assertThat(leases.renew("counter", 2, LEASE)).isTrue();

        assertThat(leases.acquire("short", "a", Duration.ofMillis(200))).hasValue(1);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> leases.acquire("short", "b", LEASE).isPresent());
        assertThat(leases.current("short").orElseThrow().owner()).isEqualTo("b");
    }

    @Test
    void renewAllRenewsTheCurrentEpochsInOneBatchAndNotTheStaleOnes() {
        Map<String, Long> epochs = new HashMap<>();
        for (int i = 0; i < 50; i++) epochs.put("tally#" + i, leases.acquire("tally#" + i, "a", LEASE).orElseThrow());
        leases.release("tally#7", epochs.get("tally#7"));
        assertThat(leases.acquire("tally#7", "b", LEASE)).hasValue(2); // b took one over
        Set<String> renewed = leases.renewAll(epochs, LEASE);
        assertThat(renewed).hasSize(49).doesNotContain("tally#7");
    }

    @Test
    void aRenewalNeverWaitsBehindAWriterButATakeoverDoes() throws Exception {
        long epoch = leases.acquire("tally#1", "a", LEASE).orElseThrow();
        try (Connection writer = postgres.dataSource().getConnection()) {
            // a Kv write in flight: its transaction holds the fence row under a share lock until it commits
            writer.setAutoCommit(false);
            try (PreparedStatement ps = writer.prepareStatement("SELECT epoch FROM " + JdbcLeases.TABLE + " WHERE name = ? FOR SHARE")) {
                ps.setString(1, "tally#1");
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(epoch);
                }
            }
            long t0 = System.nanoTime();
            assertThat(leases.renewAll(Map.of("tally#1", epoch), LEASE)).containsExactly("tally#1");
            assertThat(leases.renew("tally#1", epoch, LEASE)).isTrue();
            long renewMillis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(renewMillis).as("renewals behind an open writer (lock timeout of a takeover: 500 ms)").isLessThan(450);

            leases.release("tally#1", epoch);
            // the takeover must wait for the writer: with it still open, the takeover gives up (lock timeout), no new epoch
            OptionalLong taken = leases.acquire("tally#1", "b", LEASE);
            assertThat(taken).as("no new epoch while a write under the old one may still commit").isEmpty();
            writer.commit();
        }
        assertThat(leases.acquire("tally#1", "b", LEASE)).as("the writer committed: now b takes it").hasValue(epoch + 1);
    }
}
