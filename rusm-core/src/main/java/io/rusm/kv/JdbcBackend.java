package io.rusm.kv;

import io.rusm.KvException;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The JDBC store: one table, {@value #TABLE}, created on startup if missing:
 *
 * <pre>
 * CREATE TABLE rusm_kv (
 *   namespace  VARCHAR(255)  NOT NULL,   -- the component name
 *   item_key   VARCHAR(1024) NOT NULL,
 *   item_value TEXT          NOT NULL,   -- JSON; CHARACTER LARGE OBJECT on H2, CLOB elsewhere
 *   PRIMARY KEY (namespace, item_key))
 * </pre>
 *
 * A group commit is one transaction of upserts and deletes; it is acknowledged once
 * {@link Connection#commit()} returned, so durability is the database's (on PostgreSQL, with the
 * default {@code synchronous_commit = on}, the commit is flushed to its WAL). Dialects: PostgreSQL
 * ({@code INSERT … ON CONFLICT}) and H2 ({@code MERGE … KEY}); any other database gets an UPDATE
 * followed by an INSERT when no row was updated, which is correct while this store is the table's
 * only writer of those keys.
 */
final class JdbcBackend implements Backend {
    static final String TABLE = "rusm_kv";

    private final DataSource dataSource;
    private final Dialect dialect;
    private final String description;

    private JdbcBackend(DataSource dataSource, Dialect dialect, String description) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.description = description;
    }

    /** Connects once, picks the dialect and creates the table if it does not exist. */
    static JdbcBackend open(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            DatabaseMetaData md = c.getMetaData();
            String product = md.getDatabaseProductName();
            Dialect dialect = Dialect.of(product);
            if (dialect.ifNotExists || !tableExists(md)) {
                try (Statement s = c.createStatement()) {
                    s.execute(dialect.createTable());
                    if (!c.getAutoCommit()) c.commit();
                } catch (SQLException e) {
                    if (!c.getAutoCommit()) c.rollback();
                    if (!tableExists(c.getMetaData())) throw e; // else another instance created it concurrently
                }
            }
            return new JdbcBackend(dataSource, dialect, "JDBC Kv store (table " + TABLE + " in " + product + " "
                    + md.getDatabaseProductVersion() + ")");
        } catch (SQLException | RuntimeException e) {
            throw new KvException("cannot open the JDBC Kv store: cannot connect or create the table " + TABLE + ": " + e, e);
        }
    }

    private static boolean tableExists(DatabaseMetaData md) throws SQLException {
        for (String name : new String[] {TABLE, TABLE.toUpperCase(Locale.ROOT)}) {
            try (ResultSet rs = md.getTables(null, null, name, new String[] {"TABLE"})) {
                if (rs.next()) return true;
            }
        }
        return false;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public byte[] read(String namespace, String key) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT item_value FROM " + TABLE + " WHERE namespace = ? AND item_key = ?")) {
            ps.setString(1, namespace);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1).getBytes(StandardCharsets.UTF_8) : null;
            }
        }
    }

    @Override
    public List<String> keys(String namespace, String prefix) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT item_key FROM " + TABLE + " WHERE namespace = ? AND item_key LIKE ? ESCAPE '!'")) {
            ps.setString(1, namespace);
            ps.setString(2, likePrefix(prefix));
            List<String> keys = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) keys.add(rs.getString(1));
            }
            return keys;
        }
    }

    private static String likePrefix(String prefix) {
        StringBuilder sb = new StringBuilder(prefix.length() + 2);
        for (char ch : prefix.toCharArray()) {
            if (ch == '!' || ch == '%' || ch == '_') sb.append('!');
            sb.append(ch);
        }
        return sb.append('%').toString();
    }

    @Override
    public Transaction begin() throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            c.setAutoCommit(false);
            return new JdbcTransaction(c);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    @Override
    public void close() {
        // the DataSource belongs to the application
    }

    private final class JdbcTransaction implements Transaction {
        private final Connection connection;
        private PreparedStatement upsert;
        private PreparedStatement update;
        private PreparedStatement insert;
        private PreparedStatement delete;
        private PreparedStatement epoch;

        JdbcTransaction(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void put(String namespace, String key, byte[] value) throws SQLException {
            String json = new String(value, StandardCharsets.UTF_8);
            if (dialect.upsert() != null) {
                if (upsert == null) upsert = connection.prepareStatement(dialect.upsert());
                execute(upsert, namespace, key, json);
                return;
            }
            if (update == null) update = connection.prepareStatement(
                    "UPDATE " + TABLE + " SET item_value = ? WHERE namespace = ? AND item_key = ?");
            update.setString(1, json);
            update.setString(2, namespace);
            update.setString(3, key);
            if (update.executeUpdate() == 0) {
                if (insert == null) insert = connection.prepareStatement(
                        "INSERT INTO " + TABLE + " (namespace, item_key, item_value) VALUES (?, ?, ?)");
                execute(insert, namespace, key, json);
            }
        }

        private static void execute(PreparedStatement ps, String namespace, String key, String json) throws SQLException {
            ps.setString(1, namespace);
            ps.setString(2, key);
            ps.setString(3, json);
            ps.executeUpdate();
        }

        @Override
        public boolean epochHolds(String fence, long expected) throws SQLException {
            if (epoch == null) {
                if (dialect == Dialect.POSTGRESQL) {
                    // A writer frozen mid-transaction must not hold the row lock (and so block the new owner) for long.
                    try (Statement s = connection.createStatement()) {
                        s.execute("SET LOCAL idle_in_transaction_session_timeout = '" + JdbcLeases.ZOMBIE_TIMEOUT_MILLIS + "ms'");
                    }
                }
                epoch = connection.prepareStatement("SELECT epoch FROM " + JdbcLeases.TABLE + " WHERE name = ? "
                        + (dialect == Dialect.POSTGRESQL ? "FOR SHARE" : "FOR UPDATE"));
                epoch.setQueryTimeout(JdbcLeases.QUERY_TIMEOUT_SECONDS); // behind a takeover's lock: fail, never hang the writer
            }
            epoch.setString(1, fence);
            try (ResultSet rs = epoch.executeQuery()) {
                return rs.next() && rs.getLong(1) == expected;
            }
        }

        @Override
        public boolean delete(String namespace, String key) throws SQLException {
            if (delete == null) delete = connection.prepareStatement("DELETE FROM " + TABLE + " WHERE namespace = ? AND item_key = ?");
            delete.setString(1, namespace);
            delete.setString(2, key);
            return delete.executeUpdate() > 0;
        }

        @Override
        public void commit() throws SQLException {
            try {
                connection.commit();
            } finally {
                release();
            }
        }

        @Override
        public void rollback() {
            try {
                connection.rollback();
            } catch (SQLException | RuntimeException ignored) {
                // the connection is broken; closing it is all that is left
            } finally {
                release();
            }
        }

        private void release() {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException | RuntimeException ignored) {
                // a pool resets it anyway
            }
            try {
                connection.close(); // closes its statements
            } catch (SQLException | RuntimeException ignored) {
                // nothing to do
            }
        }
    }

    /** The SQL that differs between databases. */
    enum Dialect {
        POSTGRESQL("TEXT", "INSERT INTO " + TABLE + " (namespace, item_key, item_value) VALUES (?, ?, ?)"
                + " ON CONFLICT (namespace, item_key) DO UPDATE SET item_value = EXCLUDED.item_value", true),
        H2("CHARACTER LARGE OBJECT", "MERGE INTO " + TABLE + " (namespace, item_key, item_value) KEY (namespace, item_key)"
                + " VALUES (?, ?, ?)", true),
        GENERIC("CLOB", null, false);

        private final String valueType;
        private final String upsert;
        private final boolean ifNotExists;

        Dialect(String valueType, String upsert, boolean ifNotExists) {
            this.valueType = valueType;
            this.upsert = upsert;
            this.ifNotExists = ifNotExists;
        }

        static Dialect of(String productName) {
            String p = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
            if (p.contains("postgres")) return POSTGRESQL;
            if (p.equals("h2")) return H2;
            return GENERIC;
        }

        String createTable() {
            return "CREATE TABLE " + (ifNotExists ? "IF NOT EXISTS " : "") + TABLE + " ("
                    + "namespace VARCHAR(255) NOT NULL, "
                    + "item_key VARCHAR(1024) NOT NULL, "
                    + "item_value " + valueType + " NOT NULL, "
                    + "PRIMARY KEY (namespace, item_key))";
        }

        /** A single-statement upsert, or null to update then insert. */
        String upsert() {
            return upsert;
        }
    }
}
