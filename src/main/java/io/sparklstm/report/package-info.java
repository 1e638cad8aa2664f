/**
 * Pages a person reads: a run's {@code report.html} ({@link io.sparklstm.report.RunReport}) and the store's
 * {@code index.html} ({@link io.sparklstm.report.StoreIndex}). Self-contained HTML (charts drawn by XChart and embedded
 * as PNG data, no scripts, no network), so a page opens offline, from HDFS, a bucket or a mail attachment.
 */
package io.sparklstm.report;
