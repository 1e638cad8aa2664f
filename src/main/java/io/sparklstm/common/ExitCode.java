package io.sparklstm.common;

/**
 * The job's documented exit codes, for schedulers and alerting. Scripts under {@code submit/} use codes of 10 and
 * above for their own failures, so a script's code never reads as one of these.
 */
public enum ExitCode {
    /** Trained, evaluated, published and promoted to {@code CURRENT}, or {@code --help}. */
    OK(0),
    /** Any failure that is not the user's input: rerun the same command to resume from the last checkpoint. */
    FAILURE(1),
    /** Bad input or usage: an option, a data file, or the store's state; nothing was written. */
    BAD_INPUT(2),
    /** Trained and published, but the quality gate kept it from becoming {@code CURRENT}. */
    NOT_PROMOTED(3),
    /** Training diverged (non-finite loss or parameters): stopped, no checkpoint of that state, nothing published. */
    DIVERGED(4),
    /**
     * The store is locked by another live run (nothing written), or this run lost its lock: it stopped before its next
     * checkpoint, publication, promotion or retention step.
     */
    LOCKED(5);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /** The process exit status. */
    public int code() {
        return code;
    }
}
