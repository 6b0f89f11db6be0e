package io.rusm.kv;

import io.rusm.KvException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Epochs and leases of cluster-placed services, in the database the JDBC {@code Kv} uses, so the
 * fence is checked where the state is written. Two tables, because they are locked differently:
 *
 * <pre>
 * CREATE TABLE rusm_epochs (                -- the fence: every Kv write of an owner reads its row under a share lock
 *   name        VARCHAR(255) PRIMARY KEY,   -- the service, or a keyed service's shard (service#partition)
 *   epoch       BIGINT NOT NULL,            -- +1 for every new owner
 *   owner       VARCHAR(255) NOT NULL)      -- the node that took it
 * CREATE TABLE rusm_leases (                -- the lease: renewed every quarter lease, never behind a writer
 *   name        VARCHAR(255) PRIMARY KEY,
 *   epoch       BIGINT NOT NULL,            -- the epoch the lease is for
 *   owner       VARCHAR(255) NOT NULL,
 *   lease_until BIGINT NOT NULL)            -- database clock, ms since 1970; 0 once released
 * </pre>
 *
 * A new owner takes a name only once the previous lease has run out or was released, bumping the
 * epoch under the fence row's exclusive lock, so it waits for writes in flight under the old epoch
 * and every later one is refused in its own transaction (see {@code Backend.Transaction#epochHolds}).
 * Renewals touch only the lease row: with a shard per partition, a node renews many leases while its
 * keys write, and a renewal queued behind the writers' share locks would let leases lapse under load.
 * Every time is the database's clock, so nodes' clocks never need to agree.
 */
public final class JdbcLeases implements AutoCloseable {
    public static final String TABLE = "rusm_epochs";
    public static final String LEASES = "rusm_leases";
    /** How long PostgreSQL keeps a frozen writer's open transaction (and its row lock) before ending its session. */
    static final long ZOMBIE_TIMEOUT_MILLIS = 2_000;
    /**
     * No lease statement waits longer than this (a row lock held by a frozen writer, a slow
     * database): a renewal that cannot finish in time fails, and the lease lapses safely.
     */
    static final int QUERY_TIMEOUT_SECONDS = 2;

    private final DataSource dataSource;
    private final String now;
    /**
     * Renewals keep a connection of their own (opened again after a failure): on a pool that Kv
     * writes and key activations keep busy, a renewal that queued for a connection would let
     * every lease of the node lapse at once.
     */
    private Connection renewals; // guarded by this

    /** The current holder of a name. */
    public record Holder(long epoch, String owner, long leaseLeftMillis) {}

    private JdbcLeases(DataSource dataSource, String now) {
        this.dataSource = dataSource;
        this.now = now;
    }

    /** Connects once and creates the two tables if they do not exist. */
    public static JdbcLeases open(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            String now = product.contains("postgres") ? "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"
                    : "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT)";
            createTable(c, TABLE, "name VARCHAR(255) PRIMARY KEY, epoch BIGINT NOT NULL, owner VARCHAR(255) NOT NULL");
            createTable(c, LEASES, "name VARCHAR(255) PRIMARY KEY, epoch BIGINT NOT NULL, owner VARCHAR(255) NOT NULL, "
                    + "lease_until BIGINT NOT NULL");
            return new JdbcLeases(dataSource, now);
        } catch (SQLException | RuntimeException e) {
            throw new KvException("cannot open the epoch tables " + TABLE + " and " + LEASES + ": " + e, e);
        }
    }

    private static void createTable(Connection c, String table, String columns) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + table + " (" + columns + ")");
            if (!c.getAutoCommit()) c.commit();
        } catch (SQLException e) {
            // PostgreSQL's IF NOT EXISTS is not atomic: nodes starting together race; the loser sees the winner's table
            if (!c.getAutoCommit()) c.rollback();
            try (Statement probe = c.createStatement()) {
                probe.executeQuery("SELECT COUNT(*) FROM " + table + " WHERE 1 = 0").close();
            } catch (SQLException missing) {
                e.addSuppressed(missing);
                throw e;
            }
        }
    }

    /**
     * Takes {@code name} for {@code owner} with a new epoch if nobody holds it (never taken, lease
     * over, released) or {@code owner} itself does; empty while another owner's lease runs.
     */
    public OptionalLong acquire(String name, String owner, Duration lease) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (now.contains("clock_timestamp")) { // PostgreSQL: never wait long behind a frozen writer's lock,
                    try (Statement s = c.createStatement()) { // nor hold this one long if this JVM freezes now
                        s.execute("SET LOCAL lock_timeout = '500ms'");
                        s.execute("SET LOCAL idle_in_transaction_session_timeout = '" + ZOMBIE_TIMEOUT_MILLIS + "ms'");
                    }
                }
                // the lease first: a name another owner's lease holds is refused without waiting for its writers
                boolean leased;
                try (PreparedStatement ps = prepare(c, "SELECT owner, lease_until, " + now + " FROM " + LEASES
                        + " WHERE name = ? FOR UPDATE")) {
                    ps.setString(1, name);
                    try (ResultSet rs = ps.executeQuery()) {
                        leased = rs.next();
                        if (leased && rs.getLong(2) > rs.getLong(3) && !rs.getString(1).equals(owner)) {
                            c.rollback();
                            return OptionalLong.empty();
                        }
                    }
                }
                // then the fence: the exclusive lock waits for the writes in flight under the old epoch
                long epoch = 0;
                try (PreparedStatement ps = prepare(c, "SELECT epoch FROM " + TABLE + " WHERE name = ? FOR UPDATE")) {
                    ps.setString(1, name);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) epoch = rs.getLong(1);
                    }
                }
                long next = epoch + 1;
                try (PreparedStatement up = prepare(c, epoch == 0
                        ? "INSERT INTO " + TABLE + " (epoch, owner, name) VALUES (?, ?, ?)"
                        : "UPDATE " + TABLE + " SET epoch = ?, owner = ? WHERE name = ?")) {
                    up.setLong(1, next);
                    up.setString(2, owner);
                    up.setString(3, name);
                    up.executeUpdate();
                }
                try (PreparedStatement up = prepare(c, leased
                        ? "UPDATE " + LEASES + " SET epoch = ?, owner = ?, lease_until = " + now + " + ? WHERE name = ?"
                        : "INSERT INTO " + LEASES + " (epoch, owner, lease_until, name) SELECT ?, ?, " + now + " + ?, ?")) {
                    up.setLong(1, next);
                    up.setString(2, owner);
                    up.setLong(3, lease.toMillis());
                    up.setString(4, name);
                    up.executeUpdate();
                }
                c.commit();
                return OptionalLong.of(next);
            } catch (SQLException e) {
                c.rollback();
                if (isConflict(e)) return OptionalLong.empty(); // a rival inserted it first: try again later
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new KvException("cannot take the epoch of '" + name + "' in " + TABLE + ": " + e, e);
        }
    }

    /** Extends the lease of {@code epoch}; false if a newer epoch took the name over. */
    public boolean renew(String name, long epoch, Duration lease) {
        return renewAll(Map.of(name, epoch), lease).contains(name);
    }

    /**
     * Extends every lease in {@code epochs} (name → epoch) in one transaction, one statement batch;
     * returns the names renewed (a missing one has a newer epoch).
     */
    public synchronized Set<String> renewAll(Map<String, Long> epochs, Duration lease) {
        List<Map.Entry<String, Long>> all = new ArrayList<>(epochs.entrySet());
        try {
            if (renewals == null || renewals.isClosed()) {
                renewals = dataSource.getConnection();
                renewals.setAutoCommit(false);
            }
            Connection c = renewals;
            try (PreparedStatement ps = prepare(c, "UPDATE " + LEASES + " SET lease_until = " + now + " + ? WHERE name = ? AND epoch = ?")) {
                for (Map.Entry<String, Long> e : all) {
                    ps.setLong(1, lease.toMillis());
                    ps.setString(2, e.getKey());
                    ps.setLong(3, e.getValue());
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                c.commit();
                Set<String> renewed = new HashSet<>();
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] == 1) renewed.add(all.get(i).getKey()); // a driver that cannot tell renews nothing: safe
                }
                return renewed;
            }
        } catch (SQLException e) {
            closeRenewals(); // the next round opens a fresh one
            throw new KvException("cannot renew " + all.size() + " lease(s) in " + LEASES + ": " + e, e);
        }
    }

    private void closeRenewals() {
        if (renewals == null) return;
        try {
            renewals.close(); // an open transaction rolls back
        } catch (SQLException ignored) {
            // gone already
        }
        renewals = null;
    }

    /** Closes the renewals' own connection (the others are the DataSource's). */
    @Override
    public synchronized void close() {
        closeRenewals();
    }

    /** Gives the name up so the next owner need not wait for the lease to run out. */
    public void release(String name, long epoch) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = prepare(c, "UPDATE " + LEASES + " SET lease_until = 0 WHERE name = ? AND epoch = ?")) {
            ps.setString(1, name);
            ps.setLong(2, epoch);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new KvException("cannot release the lease of '" + name + "' in " + LEASES + ": " + e, e);
        }
    }

    /** Who holds {@code name} now, if it was ever taken. */
    public Optional<Holder> current(String name) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = prepare(c, "SELECT e.epoch, e.owner, CASE WHEN l.epoch = e.epoch THEN l.lease_until - " + now
                     + " ELSE 0 END FROM " + TABLE + " e LEFT JOIN " + LEASES + " l ON l.name = e.name WHERE e.name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Holder(rs.getLong(1), rs.getString(2), Math.max(0, rs.getLong(3)))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new KvException("cannot read the epoch of '" + name + "' in " + TABLE + ": " + e, e);
        }
    }

    private static PreparedStatement prepare(Connection c, String sql) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
        return ps;
    }

    private static boolean isConflict(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("23") || state.equals("40001") || state.equals("40P01") || state.equals("55P03"));
    }
}
