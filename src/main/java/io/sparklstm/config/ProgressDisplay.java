package io.sparklstm.config;

/** How the job shows training progress ({@code --progress}). */
public enum ProgressDisplay {
    /** A progress bar when the job runs in a terminal, else log lines. */
    AUTO,
    /** Log lines, at most one per {@code --progress-interval}. */
    LOG,
    /** One updating progress bar on stderr. */
    BAR
}
