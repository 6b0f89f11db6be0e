package io.rusm.internal.process;

import io.rusm.ExitReason;
import io.rusm.Pid;
import io.rusm.event.CallOutcome;
import io.rusm.event.ProcessListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Fans events out to the registered listeners; a failing listener is logged, never propagated. */
public final class Listeners implements ProcessListener {
    private static final Logger log = LoggerFactory.getLogger(Listeners.class);
    private final List<ProcessListener> listeners = new CopyOnWriteArrayList<>();

    public void add(ProcessListener listener) {
        listeners.add(listener);
    }

    public void remove(ProcessListener listener) {
        listeners.remove(listener);
    }

    private void each(Consumer<ProcessListener> event) {
        for (ProcessListener l : listeners) {
            try {
                event.accept(l);
            } catch (Throwable t) {
                log.warn("process listener {} failed", l, t);
            }
        }
    }

    @Override
    public void started(Pid pid) {
        if (!listeners.isEmpty()) each(l -> l.started(pid));
    }

    @Override
    public void exited(Pid pid, ExitReason reason) {
        if (!listeners.isEmpty()) each(l -> l.exited(pid, reason));
    }

    @Override
    public void callFinished(String target, Object message, long nanos, CallOutcome outcome) {
        if (!listeners.isEmpty()) each(l -> l.callFinished(target, message, nanos, outcome));
    }

    @Override
    public void restarted(String supervisor, Pid pid) {
        if (!listeners.isEmpty()) each(l -> l.restarted(supervisor, pid));
    }

    @Override
    public void escalated(String supervisor, Pid supervisorPid) {
        if (!listeners.isEmpty()) each(l -> l.escalated(supervisor, supervisorPid));
    }

    @Override
    public void sendDropped(String target, Object message, String reason) {
        if (!listeners.isEmpty()) each(l -> l.sendDropped(target, message, reason));
    }

    public boolean isEmpty() {
        return listeners.isEmpty();
    }
}
