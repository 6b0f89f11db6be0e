package io.rusm.spring.kv;

import io.rusm.Kv;
import io.rusm.KvException;
import io.rusm.Node;
import io.rusm.kv.KvStore;
import io.rusm.spring.RusmAutoConfiguration;
import io.rusm.spring.RusmConfigurationException;
import io.rusm.spring.RusmProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Lazy;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.nio.file.Path;

/**
 * The durable {@link Kv} of resident services: a {@link KvStore} chosen by {@code rusm.kv.store}
 * (the embedded file under {@code rusm.kv.path}, or the table {@code rusm_kv} of the application's
 * {@link DataSource}) and the {@code Kv} bean services inject, which is namespaced by the service
 * that calls it.
 *
 * <p>Both beans are lazy: the store opens when the first service that injects {@code Kv} starts,
 * so an application that does not use it creates no file. A store that cannot open fails startup
 * with a report naming the property ({@link KvStoreFailureAnalyzer}). The store is closed when the
 * context is destroyed, after rusm's lifecycle and node stopped every service (so a service's
 * {@code @PreDestroy} may still write).
 */
@AutoConfiguration(after = RusmAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "rusm.enabled", matchIfMissing = true)
@EnableConfigurationProperties(RusmProperties.class)
public class RusmKvAutoConfiguration {
    static final String PATH_PROPERTY = "rusm.kv.path";
    static final String STORE_PROPERTY = "rusm.kv.store";
    private static final String STORE_BEAN = "rusmKvStore";

    /** The store; inject it for {@link KvStore#forComponent(String)} outside services. */
    @Bean(name = STORE_BEAN, destroyMethod = "close")
    @Lazy
    @ConditionalOnMissingBean
    public KvStore rusmKvStore(RusmProperties properties, ObjectProvider<DataSource> dataSources,
                               ObjectProvider<JsonMapper> jsonMappers, ConfigurableListableBeanFactory beanFactory) {
        JsonMapper json = jsonMappers.getIfUnique(() -> JsonMapper.builder().build());
        RusmProperties.Kv kv = properties.getKv();
        KvStore store = switch (kv.getStore()) {
            case EMBEDDED -> embedded(kv.getPath(), json);
            case JDBC -> jdbc(dataSources, json);
        };
        // Destroy every Node before the store: services still running at that point stop (and may write) first.
        for (String node : beanFactory.getBeanNamesForType(Node.class, false, false)) {
            beanFactory.registerDependentBean(STORE_BEAN, node);
        }
        return store;
    }

    /** The {@code Kv} services inject: namespaced by the calling service's component name. */
    @Bean
    @Lazy
    @ConditionalOnMissingBean
    public Kv rusmKv(KvStore rusmKvStore) {
        return rusmKvStore.forCallingService();
    }

    /**
     * Reminders ({@code ProcessContext.reminders()}) live in the same store, in each service's
     * namespace; the store still opens only when a service that has an {@code onReminder} handler (or
     * injects {@code Kv}) starts.
     */
    @Bean
    public org.springframework.beans.factory.InitializingBean rusmReminderStore(Node node, ObjectProvider<KvStore> rusmKvStore) {
        return () -> node.reminderStore(service -> rusmKvStore.getObject().forComponent(service));
    }

    private static KvStore embedded(String path, JsonMapper json) {
        if (path == null || path.isBlank()) {
            throw new RusmConfigurationException(PATH_PROPERTY, PATH_PROPERTY + " is empty",
                    "Set " + PATH_PROPERTY + " to the directory of the embedded Kv store, e.g. ./rusm-data.");
        }
        try {
            return KvStore.embedded(Path.of(path), json);
        } catch (KvException e) {
            throw new KvStoreOpenException(PATH_PROPERTY, path, e.getMessage(), e);
        }
    }

    private static KvStore jdbc(ObjectProvider<DataSource> dataSources, JsonMapper json) {
        DataSource dataSource = dataSources.getIfUnique();
        if (dataSource == null) {
            throw new RusmConfigurationException(STORE_PROPERTY, STORE_PROPERTY + "=jdbc needs one javax.sql.DataSource bean"
                    + " (or a @Primary one), and the application has " + (dataSources.stream().findAny().isPresent() ? "several" : "none"),
                    "Configure a DataSource (e.g. spring-boot-starter-jdbc with spring.datasource.url), mark one @Primary,"
                            + " or set " + STORE_PROPERTY + "=embedded.");
        }
        try {
            return KvStore.jdbc(dataSource, json);
        } catch (KvException e) {
            throw new KvStoreOpenException(STORE_PROPERTY, "jdbc", e.getMessage(), e);
        }
    }
}
