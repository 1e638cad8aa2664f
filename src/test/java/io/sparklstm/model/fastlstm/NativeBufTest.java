package io.sparklstm.model.fastlstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The block copies between a row-major native matrix and block-major Java arrays that the gate math relies on. */
class NativeBufTest {

    @Test
    void readBlocksScattersEachRowsBlocksAndWriteBlocksGathersThemBack() {
        int rows = 3, blocks = 4, width = 5, offset = 7;
        NativeBuf buf = NativeBuf.allocate(DataType.FLOAT, offset + (long) rows * blocks * width);
        float[] values = new float[(int) buf.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        buf.write(0, values, values.length);

        float[][] dst = new float[blocks][rows * width];
        buf.readBlocks(offset, width, dst, rows);
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < blocks; k++) {
                for (int j = 0; j < width; j++) {
                    assertEquals(offset + (r * blocks + k) * width + j, dst[k][r * width + j], 0f);
                }
            }
        }

        for (float[] block : dst) {
            for (int i = 0; i < block.length; i++) {
                block[i] = -block[i];
            }
        }
        buf.writeBlocks(offset, width, dst, rows);
        float[] back = new float[values.length];
        buf.read(0, back, back.length);
        for (int i = 0; i < values.length; i++) {
            values[i] = i < offset ? i : -i; // the prefix before offset is untouched
        }
        assertArrayEquals(values, back, 0f);
    }
}
