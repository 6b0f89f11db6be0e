package io.rusm.demo.cluster;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import javax.sql.DataSource;

/**
 * The cluster profile's database: every instance keeps Kv, epochs and leases in one PostgreSQL
 * ({@code demo.cluster.db-url}), which is what makes a singleton's state survive a failover and
 * fences a stale owner. Pooled: every Kv batch, key activation and lease renewal would otherwise
 * open a PostgreSQL connection (a server process each), which under load delays renewals until
 * leases lapse.
 */
@Configuration(proxyBeanMethods = false)
@Profile("cluster")
class ClusterDataSource {

    @Bean(destroyMethod = "close")
    DataSource sharedDataSource(@Value("${demo.cluster.db-url}") String url) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(url);
        ds.setPoolName("rusm-cluster-db");
        ds.setMaximumPoolSize(16); // one is the lease renewals' own
        ds.setConnectionTimeout(2_000); // a renewal that cannot get a connection fails, and its lease lapses safely
        return ds;
    }
}
