package io.convergence.engine.warehouse;

/** A {@link StagedLoad} whose record counts are settled when it is made, as they are once every file is read. */
public abstract class CountedLoad implements StagedLoad {
    private final long read;
    private final long rejected;

    protected CountedLoad(long read, long rejected) {
        if (read < 0 || rejected < 0 || rejected > read) {
            throw new IllegalArgumentException("impossible counts: read " + read + ", rejected " + rejected);
        }
        this.read = read;
        this.rejected = rejected;
    }

    @Override
    public final long rowsRead() {
        return read;
    }

    @Override
    public final long rowsRejected() {
        return rejected;
    }
}
