package io.sparklstm;

/**
 * The user's input is wrong: an option, a data file or the state of the output store. The job exits with code 2 and
 * prints {@link #getMessage()} as one line, so messages name the option or file and say what was expected.
 * Anything else that fails is a bug or an infrastructure failure and exits with code 1.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
