package io.rusm.kv;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The {@link KvContractTest} on the JDBC store over a real PostgreSQL, started for this class by
 * {@link LocalPostgres} and stopped after it. The table is dropped before each test, so each one
 * also covers its creation on startup.
 */
class PostgresKvContractTest extends KvContractTest {
    private static LocalPostgres postgres;
    /** Pooled, as in an application: a new PostgreSQL connection per read would dominate the run time. */
    private static HikariDataSource pool;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = LocalPostgres.start();
        pool = new HikariDataSource();
        pool.setDataSource(postgres.dataSource());
        pool.setMaximumPoolSize(8);
    }

    @AfterAll
    static void stopPostgres() {
        if (pool != null) pool.close();
        if (postgres != null) postgres.close();
    }

    @BeforeEach
    @Override
    void open() {
        try {
            postgres.execute("DROP TABLE IF EXISTS " + JdbcBackend.TABLE);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        super.open();
    }

    @Override
    protected KvStore openStore() {
        return KvStore.jdbc(pool);
    }
}
