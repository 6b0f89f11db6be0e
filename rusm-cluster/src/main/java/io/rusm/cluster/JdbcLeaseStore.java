package io.rusm.cluster;

import io.rusm.kv.JdbcLeases;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Leases in the shared database ({@link JdbcLeases}): the same table the JDBC {@code Kv} checks
 * every write of a singleton against, so a fenced owner can never commit.
 */
public final class JdbcLeaseStore implements LeaseStore {
    private final JdbcLeases leases;

    public JdbcLeaseStore(DataSource dataSource) {
        this.leases = JdbcLeases.open(dataSource);
    }

    @Override
    public OptionalLong acquire(String name, String owner, Duration lease) {
        return leases.acquire(name, owner, lease);
    }

    @Override
    public boolean renew(String name, long epoch, Duration lease) {
        return leases.renew(name, epoch, lease);
    }

    @Override
    public Set<String> renewAll(Map<String, Long> epochs, Duration lease) {
        return leases.renewAll(epochs, lease);
    }

    @Override
    public void release(String name, long epoch) {
        leases.release(name, epoch);
    }

    @Override
    public Optional<Holder> current(String name) {
        return leases.current(name).map(h -> new Holder(h.epoch(), h.owner(), h.leaseLeftMillis()));
    }

    @Override
    public void close() {
        leases.close();
    }

    @Override
    public boolean fencesKv() {
        return true;
    }
}
