package io.rusm.internal.keyed;

import io.rusm.Behavior;
import io.rusm.ServiceDefinitionException;
import io.rusm.internal.process.Current;

/**
 * The behavior of a keyed service's own process, registered under the service's name and
 * supervised like any child: while it runs, the family's keys can start; when it stops gracefully
 * it stops every key first (drained, in parallel, within the spec's shutdown timeout); when it ends
 * any other way (killed, its supervisor gone) every key is killed with it. Key crashes never reach
 * it: keys are not linked to it, so they never count against its supervisor's intensity.
 */
final class FamilyBehavior implements Behavior {
    private final KeyedFamily family;
    private RuntimeException misdirected;

    FamilyBehavior(KeyedFamily family) {
        this.family = family;
    }

    @Override
    public void init() {
        // However this incarnation ends, its keys end with it.
        Current.orNull().exitFuture().whenComplete((reason, failure) -> family.killAll());
        family.open();
    }

    @Override
    public Object handle(Object message) {
        misdirected = new ServiceDefinitionException("'" + family.name() + "' is a keyed service: it has one process per key, "
                + "named " + family.name() + "/<key>; call a key, with @Key on the client method's first parameter or a client "
                + "bound to a key (node.client(Client.class, key))");
        throw misdirected;
    }

    /** A message without a key is its sender's mistake: the family keeps running. */
    @Override
    public boolean isDeclaredFailure(Object message, Throwable failure) {
        return failure == misdirected;
    }

    @Override
    public void terminate() {
        family.stopAll(family.spec().shutdownTimeout());
    }

    @Override
    public String toString() {
        return "KeyedFamily[" + family.name() + "]";
    }
}
