package io.sparklstm.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Re-renders the table of a recorded run from its JSON (e.g. after a change to {@link Report}):
 * {@code java ... io.sparklstm.bench.ReportBench bench/results/<timestamp>.json} prints the table and rewrites the
 * file's {@code derived} and {@code table} and the {@code .txt} beside it.
 */
public final class ReportBench {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Map<String, Object> results = BenchSupport.JSON.readValue(file.toFile(), new TypeReference<>() {
        });
        results.remove("derived");
        results.remove("table");
        String table = new Report(results).table();
        results.put("table", table);
        BenchSupport.writeJson(file, results);
        Files.writeString(Path.of(file.toString().replaceAll("\\.json$", "") + ".txt"), table);
        System.out.print(table);
    }
}
