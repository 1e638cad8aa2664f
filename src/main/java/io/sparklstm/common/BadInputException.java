package io.sparklstm.common;

/**
 * The user's input is wrong: an option, a data file or the state of the output store. The job exits with
 * {@link ExitCode#BAD_INPUT} and prints {@link #getMessage()} as one line, so messages name the option or file and say
 * what was expected. Anything else that fails is a bug or an infrastructure failure and exits with
 * {@link ExitCode#FAILURE}.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
