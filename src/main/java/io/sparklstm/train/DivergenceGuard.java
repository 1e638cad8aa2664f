package io.sparklstm.train;

import io.sparklstm.common.DivergedException;
import io.sparklstm.model.FiniteParameters;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Stops training as soon as the averaged state is no longer finite: checked on the driver after every averaging round,
 * before anything of that state can be checkpointed or published. Cheap: one reduction over the parameters (a few
 * hundred thousand floats) per round.
 */
public final class DivergenceGuard {

    private DivergenceGuard() {}

    /**
     * @throws DivergedException when the round's loss or any parameter is NaN or infinite
     */
    public static void check(double loss, MultiLayerNetwork network, int epoch, int round) {
        boolean finiteLoss = Double.isFinite(loss);
        boolean finiteParams = FiniteParameters.of(network);
        if (!finiteLoss || !finiteParams) {
            throw new DivergedException(String.format(
                    Locale.ROOT,
                    "training diverged in epoch %d, round %d: %s; nothing was checkpointed or published from this"
                            + " state (rerun with a lower --learning-rate under a new --run-id)",
                    epoch,
                    round,
                    !finiteLoss ? "the loss is " + loss : "the parameters are no longer finite"));
        }
    }
}
