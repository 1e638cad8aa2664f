package io.sparklstm.job;

import io.sparklstm.common.Redact;
import io.sparklstm.report.StoreIndex;
import io.sparklstm.store.RunHistory;
import io.sparklstm.store.RunStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage: rewrites the store's {@code index.html} from its published runs. The page is derived from the runs, so a
 * failure to write it is logged and does not fail the run; the next publication writes it again.
 */
final class UpdateIndex {

    private static final Logger log = LoggerFactory.getLogger(UpdateIndex.class);

    void run(RunStore store) {
        try {
            String page = StoreIndex.html(Redact.of(store.root()), RunHistory.of(store));
            store.writeIndex(page.getBytes(StandardCharsets.UTF_8));
            log.info("Store index: {}", Redact.of(new org.apache.hadoop.fs.Path(store.root(), RunStore.INDEX)));
        } catch (IOException | RuntimeException e) {
            log.warn("Could not rewrite the store's {}: {}", RunStore.INDEX, e.toString());
        }
    }
}
