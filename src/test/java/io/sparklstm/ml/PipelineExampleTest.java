package io.sparklstm.ml;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java example of docs/operations.md is {@link PipelineExample}, word for word, and it runs. */
class PipelineExampleTest {

    private static final Path EXAMPLE = Path.of("src/test/java/io/sparklstm/ml/PipelineExample.java");

    @TempDir
    Path tmp;

    @Test
    void theDocsShowTheExampleAsWritten() throws Exception {
        String source = Files.readString(EXAMPLE);
        String body = source.substring(source.indexOf("import "));
        String docs = Files.readString(Path.of("docs/operations.md"));
        Matcher block = Pattern.compile("```java\n(import io\\.sparklstm\\.cli\\.SparkSetup;.*?)```", Pattern.DOTALL)
                .matcher(docs);
        assertTrue(block.find(), "docs/operations.md has no Java block starting with the example's imports");
        assertTrue(block.group(1).equals(body), "the docs' example differs from " + EXAMPLE);
    }

    @Test
    void theExampleRuns() throws Exception {
        Path train = tmp.resolve("train.parquet");
        Path test = tmp.resolve("test.parquet");
        LstmSequenceClassifierTest.images("train", 1024, false).write().parquet(train.toString());
        LstmSequenceClassifierTest.images("t10k", 200, false).write().parquet(test.toString());
        Path saved = tmp.resolve("pipeline");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            PipelineExample.main(new String[] {train.toString(), test.toString(), saved.toString(), "1"});
        } finally {
            System.setOut(stdout);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        stdout.print(printed);
        Matcher accuracy = Pattern.compile("test accuracy (0\\.\\d{4})").matcher(printed);
        assertTrue(accuracy.find(), printed);
        assertTrue(Double.parseDouble(accuracy.group(1)) > 0.3, printed);
        assertTrue(
                Files.isRegularFile(saved.resolve("stages").resolve("metadata").resolve("part-00000"))
                        || Files.isDirectory(saved.resolve("stages")),
                "the pipeline was saved");
        assertTrue(printed.contains("|prediction|probability"), printed);
    }
}
