package io.rusm.kv;

import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;

import java.sql.Connection;
import java.sql.Statement;
import java.util.UUID;

/**
 * The {@link KvContractTest} on the JDBC store over an in-memory H2 database: needs no server, so
 * the JDBC backend is covered on every machine ({@link PostgresKvContractTest} covers PostgreSQL).
 */
class H2JdbcKvContractTest extends KvContractTest {
    /** One database per test (JUnit makes an instance per test); it outlives the store's close and reopen. */
    private final JdbcConnectionPool pool =
            JdbcConnectionPool.create("jdbc:h2:mem:kv-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");

    @Override
    protected KvStore openStore() {
        return KvStore.jdbc(pool);
    }

    @AfterEach
    @Override
    void close() throws Exception {
        super.close();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN"); // drop the in-memory database
        }
        pool.dispose();
    }
}
