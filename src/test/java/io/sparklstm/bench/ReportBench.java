package io.sparklstm.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Re-renders the table of a recorded run from its JSON (e.g. after a change to {@link Report}):
 * {@code java ... io.sparklstm.bench.ReportBench bench/results/<timestamp>.json} prints the table and rewrites the
 * file's {@code derived} and {@code table} and the {@code .txt} beside it. The table the run printed itself is kept
 * as {@code tableAsRecorded}. Files written by an older bench render too: what they did not record shows as "n/a".
 * With {@code --print-only} after the file, nothing is rewritten.
 */
public final class ReportBench {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        boolean printOnly = args.length > 1 && args[1].equals("--print-only");
        Map<String, Object> results = BenchSupport.JSON.readValue(file.toFile(), new TypeReference<>() {});
        results.remove("derived");
        Object recorded = results.remove("table");
        if (recorded != null) {
            results.putIfAbsent("tableAsRecorded", recorded);
        }
        String table = new Report(results).table();
        System.out.print(table);
        if (!printOnly) {
            results.put("table", table);
            BenchSupport.writeJson(file, results);
            Files.writeString(Path.of(file.toString().replaceAll("\\.json$", "") + ".txt"), table);
        }
    }
}
