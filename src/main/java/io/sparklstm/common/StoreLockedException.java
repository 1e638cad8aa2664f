package io.sparklstm.common;

/**
 * The model store is locked by another live run, or this run lost its lock (a contender judged it stale and took it
 * over) and stops before publishing. Exits with {@link ExitCode#LOCKED}; the message names the lock file and its
 * holder.
 */
public class StoreLockedException extends RuntimeException {
    public StoreLockedException(String message) {
        super(message);
    }
}
