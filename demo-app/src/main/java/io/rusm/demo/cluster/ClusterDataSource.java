package io.rusm.demo.cluster;

import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import javax.sql.DataSource;

/**
 * The cluster profile's database: every instance keeps Kv, epochs and leases in one PostgreSQL
 * ({@code demo.cluster.db-url}), which is what makes a singleton's state survive a failover and
 * fences a stale owner. (A real application would use spring-boot-starter-jdbc and a pool.)
 */
@Configuration(proxyBeanMethods = false)
@Profile("cluster")
class ClusterDataSource {

    @Bean
    DataSource sharedDataSource(@Value("${demo.cluster.db-url}") String url) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        return ds;
    }
}
