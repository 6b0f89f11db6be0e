package io.rusm.kv;

import java.util.List;

/** A {@link Backend} that forwards everything; tests override what they hold or observe. */
class ForwardingBackend implements Backend {
    final Backend delegate;

    ForwardingBackend(Backend delegate) {
        this.delegate = delegate;
    }

    @Override
    public String description() {
        return delegate.description();
    }

    @Override
    public boolean callerCommits() {
        return delegate.callerCommits();
    }

    @Override
    public byte[] read(String namespace, String key) throws Exception {
        return delegate.read(namespace, key);
    }

    @Override
    public List<String> keys(String namespace, String prefix) throws Exception {
        return delegate.keys(namespace, prefix);
    }

    @Override
    public Transaction begin() throws Exception {
        return delegate.begin();
    }

    @Override
    public void idle() throws Exception {
        delegate.idle();
    }

    @Override
    public long compactions() {
        return delegate.compactions();
    }

    @Override
    public void close() throws Exception {
        delegate.close();
    }

    /** A transaction that forwards everything; tests override what they observe (say, the commit). */
    static class ForwardingTransaction implements Transaction {
        final Transaction delegate;

        ForwardingTransaction(Transaction delegate) {
            this.delegate = delegate;
        }

        @Override
        public void put(String namespace, String key, byte[] value) throws Exception {
            delegate.put(namespace, key, value);
        }

        @Override
        public boolean epochHolds(String fence, long epoch) throws Exception {
            return delegate.epochHolds(fence, epoch);
        }

        @Override
        public boolean delete(String namespace, String key) throws Exception {
            return delegate.delete(namespace, key);
        }

        @Override
        public void commit() throws Exception {
            delegate.commit();
        }

        @Override
        public void rollback() {
            delegate.rollback();
        }
    }
}
