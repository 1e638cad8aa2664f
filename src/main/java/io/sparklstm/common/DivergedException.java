package io.sparklstm.common;

/**
 * Training diverged: the loss or the parameters are no longer finite. Exits with {@link ExitCode#DIVERGED}; the state
 * is not checkpointed and nothing is published, so a rerun starts from the last finite checkpoint.
 */
public class DivergedException extends RuntimeException {
    public DivergedException(String message) {
        super(message);
    }
}
