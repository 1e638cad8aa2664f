package io.sparklstm.config;

import io.sparklstm.BadInputException;

/** An option has a value the job cannot use; the message names the option, the value and what is expected. */
public final class InvalidOptionException extends BadInputException {
    private final String option;

    public InvalidOptionException(String option, Object value, String expected) {
        super("option " + option + ": got '" + value + "', expected " + expected);
        this.option = option;
    }

    /** The option as typed on the command line, e.g. {@code --batch-size}. */
    public String option() {
        return option;
    }
}
