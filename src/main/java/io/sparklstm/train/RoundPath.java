package io.sparklstm.train;

/**
 * How an averaging round reaches the workers and comes back. The job always takes {@link #LEAN}; the other two
 * exist so that tests can hold it to the same bits as the paths it replaces.
 */
enum RoundPath {
    /** dl4j-spark's own: {@code mapPartitions} and {@code treeAggregate}, everything serialised. */
    DL4J,
    /** One Spark job per round ({@link RoundTask}, {@link RoundSum}), everything serialised as on a cluster. */
    LEAN_SERIALIZED,
    /**
     * {@link #LEAN_SERIALIZED}, and in Spark local mode, where the tasks run in the driver's JVM, the round's
     * parameters go out ({@link LocalBroadcast}) and come back ({@link LocalResults}) without being serialised.
     */
    LEAN
}
