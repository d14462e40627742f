package io.convergence.engine.exec;

/** SLF4J MDC keys the executor sets around each step attempt, for log patterns such as {@code %X{run}}. */
public final class MdcKeys {
    public static final String TENANT = "tenant";
    public static final String PIPELINE = "pipeline";
    public static final String RUN = "run";
    public static final String STEP = "step";
    public static final String PARTITION = "partition";

    private MdcKeys() {
    }
}
