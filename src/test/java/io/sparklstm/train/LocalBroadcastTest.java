package io.sparklstm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.TestSpark;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/** {@link LocalBroadcast}: tasks of a local-mode Spark job read the driver's own object, until it is destroyed. */
class LocalBroadcastTest {

    @Test
    void localTasksReadTheDriversObjectItself() {
        JavaSparkContext sc = TestSpark.context();
        StringBuilder value = new StringBuilder("round 7");
        LocalBroadcast<StringBuilder> broadcast = LocalBroadcast.of(value, StringBuilder.class);
        try {
            // identityHashCode of what each task reads: the driver's object, not a copy
            List<Integer> seen = sc.parallelize(List.of(1, 2, 3, 4), 4)
                    .map(i -> System.identityHashCode(broadcast.value()))
                    .collect();
            assertEquals(4, seen.size());
            seen.forEach(id -> assertEquals(System.identityHashCode(value), id));
        } finally {
            broadcast.destroy();
        }
        assertEquals(0, LocalBroadcast.live());
    }

    @Test
    void aDestroyedOrForeignValueFailsWithAMessageThatSaysWhy() throws Exception {
        LocalBroadcast<String> broadcast = LocalBroadcast.of("weights", String.class);
        LocalBroadcast<?> shipped = javaRoundTrip(broadcast); // what a task deserialises
        assertSame(broadcast.value(), shipped.value());
        assertTrue(broadcast.id() < 0, "never one of Spark's own ids");
        LocalBroadcast<String> other = LocalBroadcast.of("other", String.class);
        assertNotEquals(broadcast.id(), other.id());
        other.destroy();

        broadcast.destroy();
        IllegalStateException e = assertThrows(IllegalStateException.class, shipped::value);
        assertTrue(e.getMessage().contains("Spark local mode only"), e.getMessage());
    }

    private static LocalBroadcast<?> javaRoundTrip(LocalBroadcast<?> b) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(b);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (LocalBroadcast<?>) in.readObject();
        }
    }
}
