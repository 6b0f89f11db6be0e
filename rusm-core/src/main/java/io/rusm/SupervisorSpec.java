package io.rusm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A supervisor: its strategy, its restart intensity (more than {@code intensity} restarts within
 * {@code period} make it give up and escalate) and its children, started in list order and
 * stopped in reverse.
 *
 * @param name            registered name of the supervisor process
 * @param strategy        which children restart together (default {@link Strategy#ONE_FOR_ONE})
 * @param intensity       restarts allowed within {@code period} (default 3)
 * @param period          the sliding window for {@code intensity} (default 5 s)
 * @param children        child specs in start order
 * @param restart         its own restart type when nested under another supervisor
 * @param shutdownTimeout how long its parent waits for it to stop; by default the sum of its
 *                        children's shutdown timeouts plus one second, so children get theirs
 */
public record SupervisorSpec(String name, Strategy strategy, int intensity, Duration period,
                             List<ChildSpec> children, RestartType restart, Duration shutdownTimeout)
        implements ChildSpec {

    public static final int DEFAULT_INTENSITY = 3;
    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(5);

    public SupervisorSpec {
        SpawnOptions.validateName(Objects.requireNonNull(name, "name"));
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(restart, "restart");
        if (intensity < 1) throw new IllegalArgumentException("intensity of supervisor '" + name + "' must be positive: " + intensity);
        if (period.isNegative() || period.isZero()) throw new IllegalArgumentException("period of supervisor '" + name + "' must be positive: " + period);
        children = List.copyOf(children);
        Set<String> seen = new HashSet<>();
        for (ChildSpec c : children) {
            if (!seen.add(c.name())) throw new IllegalArgumentException("supervisor '" + name + "' has two children named '" + c.name() + "'");
        }
    }

    public static SupervisorSpec of(String name) {
        return new SupervisorSpec(name, Strategy.ONE_FOR_ONE, DEFAULT_INTENSITY, DEFAULT_PERIOD, List.of(),
                RestartType.PERMANENT, null);
    }

    public SupervisorSpec withStrategy(Strategy s) {
        return new SupervisorSpec(name, s, intensity, period, children, restart, shutdownTimeout);
    }

    /** More than {@code maxRestarts} restarts within {@code within} escalate. */
    public SupervisorSpec withIntensity(int maxRestarts, Duration within) {
        return new SupervisorSpec(name, strategy, maxRestarts, within, children, restart, shutdownTimeout);
    }

    public SupervisorSpec withChildren(List<? extends ChildSpec> list) {
        return new SupervisorSpec(name, strategy, intensity, period, List.copyOf(list), restart, shutdownTimeout);
    }

    public SupervisorSpec withChild(ChildSpec child) {
        List<ChildSpec> list = new ArrayList<>(children);
        list.add(child);
        return withChildren(list);
    }

    public SupervisorSpec withRestart(RestartType type) {
        return new SupervisorSpec(name, strategy, intensity, period, children, type, shutdownTimeout);
    }

    public SupervisorSpec withShutdownTimeout(Duration timeout) {
        return new SupervisorSpec(name, strategy, intensity, period, children, restart, timeout);
    }

    @Override
    public Duration shutdownTimeout() {
        if (shutdownTimeout != null) return shutdownTimeout;
        Duration sum = Duration.ofSeconds(1);
        for (ChildSpec c : children) sum = sum.plus(c.shutdownTimeout());
        return sum;
    }

    /** Every name in this tree (this supervisor, its children, nested ones), for uniqueness checks. */
    public List<String> allNames() {
        List<String> out = new ArrayList<>();
        out.add(name);
        for (ChildSpec c : children) {
            if (c instanceof SupervisorSpec s) out.addAll(s.allNames());
            else out.add(c.name());
        }
        return out;
    }
}
