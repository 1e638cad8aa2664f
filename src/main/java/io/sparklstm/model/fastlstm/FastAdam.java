package io.sparklstm.model.fastlstm;

import java.util.Arrays;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * DL4J's {@link Adam}, same hyper-parameters, same state layout and the same arithmetic, with the update computed in
 * a Java loop instead of ND4J's native {@code adam_updater} op.
 *
 * <p>Why: the native op ran at about 5.5 ns per parameter on the job's CPUs (1.9 ms per minibatch for the seed
 * network's 344,000 parameters, 7.5 % of a training task in a profile), while the same loop over chunks copied into
 * {@code float[]} runs at about 0.5 ns per parameter (0.17-0.21 ms), because HotSpot vectorizes it. The saved
 * configuration names this class, so a model trained with it resumes with it; the state (first and second moments)
 * is the {@link Adam} state, so checkpoints, parameter averaging and ND4J's own Adam exchange it 1:1.</p>
 *
 * <p>Scope: FLOAT vectors with unit stride, which is how DL4J's updater blocks pass gradients and state; any other
 * array (DOUBLE networks, strided views) goes to the native op.</p>
 */
public class FastAdam extends Adam {

    public FastAdam() {
        super();
    }

    public FastAdam(double learningRate) {
        super(learningRate);
    }

    public FastAdam(ISchedule learningRateSchedule) {
        super(learningRateSchedule);
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        long[] gradientShape = Arrays.copyOf(viewArray.shape(), viewArray.rank());
        gradientShape[1] /= 2; // the view holds m, then v, each the gradient's size
        Updater updater = new Updater(this);
        updater.setStateViewArray(viewArray, gradientShape, viewArray.ordering(), initializeViewArray);
        return updater;
    }

    @Override
    public FastAdam clone() {
        FastAdam copy = new FastAdam(getLearningRate());
        copy.setLearningRateSchedule(
                getLearningRateSchedule() == null
                        ? null
                        : getLearningRateSchedule().clone());
        copy.setBeta1(getBeta1());
        copy.setBeta2(getBeta2());
        copy.setEpsilon(getEpsilon());
        return copy;
    }

    /** Applies the update in place of the gradient, like ND4J's {@code AdamUpdater}. */
    static final class Updater extends org.nd4j.linalg.learning.AdamUpdater {

        /** Elements per chunk: three chunks of floats stay in the L1 cache. */
        static final int CHUNK = 2048;

        private final float[] g = new float[CHUNK];
        private final float[] m = new float[CHUNK];
        private final float[] v = new float[CHUNK];

        Updater(Adam config) {
            super(config);
        }

        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            NativeBuf grad = floatVector(gradient);
            NativeBuf first = floatVector(getM());
            NativeBuf second = floatVector(getV());
            if (grad == null
                    || first == null
                    || second == null
                    || first.length != grad.length
                    || second.length != grad.length) {
                super.applyUpdater(gradient, iteration, epoch);
                return;
            }
            Adam c = getConfig();
            float beta1 = (float) c.getBeta1();
            float beta2 = (float) c.getBeta2();
            float epsilon = (float) c.getEpsilon();
            float alpha = stepSize(c.getLearningRate(iteration, epoch), beta1, beta2, iteration);
            if (!Float.isFinite(alpha) || alpha == 0) {
                alpha = epsilon; // ND4J's fallback
            }
            int n = (int) grad.length;
            for (int start = 0; start < n; start += CHUNK) {
                int len = Math.min(CHUNK, n - start);
                grad.read(start, g, len);
                first.read(start, m, len);
                second.read(start, v, len);
                step(len, alpha, beta1, beta2, epsilon);
                first.write(start, m, len);
                second.write(start, v, len);
                grad.write(start, g, len);
            }
        }

        /**
         * The learning rate with Adam's bias correction folded in, rounded as ND4J's float op rounds it, so that a
         * seed trains bit for bit as with ND4J's {@link Adam}:
         * <ul>
         *   <li>the powers {@code beta^t} in float by C's {@code powf}, through ND4J's own {@code pow}: Java's
         *       correctly rounded {@link Math#pow} differs from it in the last bit at a few steps (once in the
         *       first 40,000 for Adam's default betas, at step 3,606);</li>
         *   <li>the differences from one in double, the square root's argument rounded to float again (it is
         *       {@code sqrtf}), the division in double. Without that second rounding the rate differs in the last
         *       bit from step 694 on, where {@code 0.999^t} drops below one half and {@code 1 - 0.999^t} stops being
         *       exact in float; in double throughout, the first steps' rates differ by up to 1e-5 relative.</li>
         * </ul>
         * One step's last bit is enough to make a seed's run diverge from the native op's: the square root's did,
         * its test accuracy visibly apart after three epochs of full MNIST.
         */
        private static float stepSize(double learningRate, float beta1, float beta2, int iteration) {
            float[] powers = powers(beta1, beta2, iteration + 1);
            float scaled = (float) learningRate * (float) Math.sqrt((float) (1.0 - powers[1]));
            return (float) (scaled / (1.0 - powers[0]));
        }

        /**
         * {@code {beta1^t, beta2^t}} as ND4J's float {@code pow} computes them: one native call per step, shared by
         * the network's updater blocks (they all ask for the same step in turn).
         */
        private static float[] powers(float beta1, float beta2, int t) {
            Powers last = LAST_POWERS.get();
            if (last == null || !last.isFor(beta1, beta2, t)) {
                try (MemoryWorkspace detached = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                    INDArray betas = Transforms.pow(Nd4j.createFromArray(beta1, beta2), t, false);
                    last = new Powers(beta1, beta2, t, betas.toFloatVector());
                }
                LAST_POWERS.set(last);
            }
            return last.values();
        }

        private static final ThreadLocal<Powers> LAST_POWERS = new ThreadLocal<>();

        /** The calling thread's last {@link #powers} (the values are never modified). */
        private record Powers(float beta1, float beta2, int t, float[] values) {
            boolean isFor(float b1, float b2, int step) {
                return step == t
                        && Float.floatToRawIntBits(b1) == Float.floatToRawIntBits(beta1)
                        && Float.floatToRawIntBits(b2) == Float.floatToRawIntBits(beta2);
            }
        }

        /** One chunk: the moments move towards the gradient, the gradient becomes the update. */
        private void step(int len, float alpha, float beta1, float beta2, float epsilon) {
            float[] gs = g;
            float[] ms = m;
            float[] vs = v;
            for (int i = 0; i < len; i++) {
                float gi = gs[i];
                float mi = beta1 * ms[i] + gi * (1 - beta1);
                float vi = beta2 * vs[i] + gi * gi * (1 - beta2);
                ms[i] = mi;
                vs[i] = vi;
                gs[i] = mi * alpha / ((float) Math.sqrt(vi) + epsilon);
            }
        }

        private static NativeBuf floatVector(INDArray a) {
            return a == null ? null : NativeBuf.wrapFloatVector(a);
        }
    }
}
