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
 * @param shutdownTimeout how long its parent waits for it to stop; by default
 *                        {@link ChildSpec#INFINITY}, as OTP's, so children get their own timeouts
 * @param template        for {@link Strategy#SIMPLE_ONE_FOR_ONE} only (then {@code children} is
 *                        empty): what every child is started from
 */
public record SupervisorSpec(String name, Strategy strategy, int intensity, Duration period,
                             List<ChildSpec> children, RestartType restart, Duration shutdownTimeout,
                             WorkerTemplate template)
        implements ChildSpec {

    public static final int DEFAULT_INTENSITY = 3;
    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(5);

    public SupervisorSpec {
        SpawnOptions.validateName(Objects.requireNonNull(name, "name"));
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(restart, "restart");
        // OTP allows 0: the first restart that would be needed makes the supervisor give up.
        if (intensity < 0) throw new IllegalArgumentException("intensity of supervisor '" + name + "' must not be negative: " + intensity);
        if (period.isNegative() || period.isZero()) throw new IllegalArgumentException("period of supervisor '" + name + "' must be positive: " + period);
        children = List.copyOf(children);
        if (strategy == Strategy.SIMPLE_ONE_FOR_ONE && (template == null || !children.isEmpty())) {
            throw new IllegalArgumentException("simple-one-for-one supervisor '" + name
                    + "' needs exactly one worker template and no other children: use SupervisorSpec.simpleOneForOne");
        }
        if (strategy != Strategy.SIMPLE_ONE_FOR_ONE && template != null) {
            throw new IllegalArgumentException("supervisor '" + name + "' has a worker template but is " + strategy.configName()
                    + "; only simple-one-for-one supervisors start children from a template");
        }
        Set<String> seen = new HashSet<>();
        for (ChildSpec c : children) {
            if (!seen.add(c.name())) throw new IllegalArgumentException("supervisor '" + name + "' has two children named '" + c.name() + "'");
        }
    }

    /** The spec as it was before simple-one-for-one: no template. */
    public SupervisorSpec(String name, Strategy strategy, int intensity, Duration period,
                          List<ChildSpec> children, RestartType restart, Duration shutdownTimeout) {
        this(name, strategy, intensity, period, children, restart, shutdownTimeout, null);
    }

    public static SupervisorSpec of(String name) {
        return new SupervisorSpec(name, Strategy.ONE_FOR_ONE, DEFAULT_INTENSITY, DEFAULT_PERIOD, List.of(),
                RestartType.PERMANENT, null);
    }

    /** A {@link Strategy#SIMPLE_ONE_FOR_ONE} supervisor: a pool of workers started from {@code template}. */
    public static SupervisorSpec simpleOneForOne(String name, WorkerTemplate template) {
        return new SupervisorSpec(name, Strategy.SIMPLE_ONE_FOR_ONE, DEFAULT_INTENSITY, DEFAULT_PERIOD, List.of(),
                RestartType.PERMANENT, null, Objects.requireNonNull(template, "template"));
    }

    public SupervisorSpec withStrategy(Strategy s) {
        return new SupervisorSpec(name, s, intensity, period, children, restart, shutdownTimeout, template);
    }

    /** More than {@code maxRestarts} restarts within {@code within} escalate. */
    public SupervisorSpec withIntensity(int maxRestarts, Duration within) {
        return new SupervisorSpec(name, strategy, maxRestarts, within, children, restart, shutdownTimeout, template);
    }

    public SupervisorSpec withChildren(List<? extends ChildSpec> list) {
        return new SupervisorSpec(name, strategy, intensity, period, List.copyOf(list), restart, shutdownTimeout, template);
    }

    public SupervisorSpec withChild(ChildSpec child) {
        List<ChildSpec> list = new ArrayList<>(children);
        list.add(child);
        return withChildren(list);
    }

    public SupervisorSpec withRestart(RestartType type) {
        return new SupervisorSpec(name, strategy, intensity, period, children, type, shutdownTimeout, template);
    }

    public SupervisorSpec withShutdownTimeout(Duration timeout) {
        return new SupervisorSpec(name, strategy, intensity, period, children, restart, timeout, template);
    }

    /** The given timeout, or {@link ChildSpec#INFINITY}: a supervisor's children bound their own stops. */
    @Override
    public Duration shutdownTimeout() {
        return shutdownTimeout != null ? shutdownTimeout : INFINITY;
    }

    /** Whether this is a pool of like workers started from a {@link #template()}. */
    public boolean isSimpleOneForOne() {
        return strategy == Strategy.SIMPLE_ONE_FOR_ONE;
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
