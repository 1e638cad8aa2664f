package io.sparklstm.train;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.broadcast.Broadcast;
import scala.reflect.ClassTag$;

/**
 * A broadcast for Spark local mode, where every task runs in the driver's JVM: tasks read the driver's object itself.
 *
 * <p>Why: in local mode Spark's {@code TorrentBroadcast} hands tasks the driver's object too (its block manager keeps
 * the value), but it also writes a serialised copy that nobody there reads: Kryo, then LZ4, of the round's
 * parameters and Adam state (4 MB for the seed network), on the driver, in every averaging round, while the executor
 * waits. This broadcast ships only its id inside the task; the value stays in a map of this JVM until
 * {@link #destroy()}.</p>
 *
 * <p>Only for a master that runs tasks in the driver's JVM ({@code JavaSparkContext.isLocal()}): read in any other
 * JVM, {@link #value()} fails with a message that says so. The value is shared, not copied, exactly as
 * {@code TorrentBroadcast} shares it in local mode, so the driver must not change it while tasks run.</p>
 */
final class LocalBroadcast<T> extends Broadcast<T> {

    private static final long serialVersionUID = 1L;

    /** Negative ids, never one of Spark's own broadcasts (its ids count up from 0). */
    private static final AtomicLong NEXT_ID = new AtomicLong(-1);

    private static final Map<Long, Object> VALUES = new ConcurrentHashMap<>();

    private LocalBroadcast(long id, Class<T> type) {
        super(id, ClassTag$.MODULE$.apply(type));
    }

    /** Broadcasts {@code value} to the tasks of this JVM. */
    static <T> LocalBroadcast<T> of(T value, Class<T> type) {
        LocalBroadcast<T> broadcast = new LocalBroadcast<>(NEXT_ID.getAndDecrement(), type);
        VALUES.put(broadcast.id(), value);
        return broadcast;
    }

    /** How many local broadcasts this JVM holds: values not yet destroyed. */
    static int live() {
        return VALUES.size();
    }

    @Override
    @SuppressWarnings("unchecked")
    public T getValue() {
        Object value = VALUES.get(id());
        if (value == null) {
            throw new IllegalStateException("Local broadcast " + id() + " has no value in this JVM: it is destroyed,"
                    + " or read outside the driver's JVM (it is for Spark local mode only)");
        }
        return (T) value;
    }

    @Override
    public void doUnpersist(boolean blocking) {
        // nothing is cached apart from the driver's own value, which stays until destroy
    }

    @Override
    public void doDestroy(boolean blocking) {
        VALUES.remove(id());
    }
}
