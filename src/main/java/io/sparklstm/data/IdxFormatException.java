package io.sparklstm.data;

import io.sparklstm.common.BadInputException;

/** A data file is not a well-formed IDX file of the kind expected; the message names the file. */
public final class IdxFormatException extends BadInputException {
    public IdxFormatException(String file, String problem) {
        super(file + ": " + problem);
    }
}
