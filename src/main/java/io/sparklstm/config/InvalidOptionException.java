package io.sparklstm.config;

import io.sparklstm.common.BadInputException;

/**
 * An option has a value the job cannot use. The message names the option, where the value came from when that was a
 * file, the value, and what the option accepts.
 */
public final class InvalidOptionException extends BadInputException {

    InvalidOptionException(Param<?> param, String source, String value) {
        super("option " + param.option()
                + (source == null ? "" : " (key '" + param.name() + "' in " + source + ")")
                + ": got '" + value + "', expected " + param.expected());
    }
}
