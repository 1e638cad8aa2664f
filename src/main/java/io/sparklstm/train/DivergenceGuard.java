package io.sparklstm.train;

import io.sparklstm.common.DivergedException;
import io.sparklstm.common.FaultInjection;
import io.sparklstm.model.FiniteParameters;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Stops training as soon as the averaged state is no longer finite: checked on the driver after every averaging round,
 * before anything of that state can be checkpointed or published. Cheap: one reduction over the parameters (a few
 * hundred thousand floats) per round.
 */
public final class DivergenceGuard {

    /** Crash point of the divergence tests: from epoch 2 on, every round's loss reads as NaN. */
    public static final String NAN_LOSS_FROM_EPOCH_2 = "nan-loss-from-epoch-2";

    private DivergenceGuard() {}

    /**
     * @throws DivergedException when the round's loss or any parameter is NaN or infinite
     */
    public static void check(double reportedLoss, MultiLayerNetwork network, int epoch, int round) {
        double loss = FaultInjection.requested(NAN_LOSS_FROM_EPOCH_2) && epoch > 1 ? Double.NaN : reportedLoss;
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
