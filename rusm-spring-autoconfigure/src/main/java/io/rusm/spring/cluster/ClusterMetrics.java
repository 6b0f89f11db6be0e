package io.rusm.spring.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.rusm.cluster.ClusterListener;
import org.springframework.beans.factory.ObjectProvider;

import java.util.concurrent.atomic.AtomicInteger;

/** The cluster's meters: {@code rusm.cluster.members} and {@code rusm.cluster.handovers}. */
final class ClusterMetrics implements ClusterListener {
    private final ObjectProvider<MeterRegistry> registries;
    private final AtomicInteger members = new AtomicInteger(1);
    private volatile boolean gaugeRegistered;

    ClusterMetrics(ObjectProvider<MeterRegistry> registries) {
        this.registries = registries;
    }

    /** The registry, registering the gauge on first use: the cluster joins before the registry exists. */
    private MeterRegistry registry() {
        MeterRegistry r = registries.getIfAvailable();
        if (r != null && !gaugeRegistered) {
            gaugeRegistered = true;
            Gauge.builder("rusm.cluster.members", members, AtomicInteger::get).description("Members of the cluster this node sees").register(r);
        }
        return r;
    }

    @Override
    public void membersChanged(int count) {
        members.set(count);
        registry();
    }

    @Override
    public void handover(String service, String cause) {
        MeterRegistry r = registry();
        if (r == null) return;
        Counter.builder("rusm.cluster.handovers").tag("service", service).tag("cause", cause)
                .description("Singletons that started on this node after running elsewhere").register(r).increment();
    }
}
