package io.sparklstm.config;

import io.sparklstm.common.BadInputException;
import io.sparklstm.common.Redact;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The effective configuration of one run: a value for every option of {@link JobParams}, each checked by its
 * declaration, immutable once built so every later stage can trust it. Values are read and set by option
 * ({@code config.get(JobParams.EPOCHS)}), never by position, so two options of the same type cannot be swapped.
 */
public final class JobConfig {

    private static final DateTimeFormatter RUN_ID_CLOCK = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private final Map<Param<?>, Object> values;

    private JobConfig(Map<Param<?>, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** A builder starting from every option's declared default. */
    public static Builder builder() {
        Builder builder = new Builder(new LinkedHashMap<>());
        for (Param<?> param : JobParams.ALL) {
            builder.values.put(param, param.defaultValue());
        }
        return builder;
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(new LinkedHashMap<>(values));
    }

    /** The option's value; null only for an option without a default that was not given (e.g. --init-from). */
    @SuppressWarnings("unchecked")
    public <T> T get(Param<T> param) {
        return (T) values.get(param);
    }

    /** The run's id. */
    public String runId() {
        return get(JobParams.RUN_ID);
    }

    /**
     * Every option that a properties file may hold, by name, as written in {@code config.json} and
     * {@code provenance.json}: enums in lower case, unset options as null, credentials in URIs redacted
     * ({@link Redact}).
     */
    public Map<String, Object> asMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        values.forEach((param, value) -> {
            if (!param.isCliOnly()) {
                Object shown = value instanceof Enum<?> ? param.format(value) : value;
                map.put(param.name(), shown instanceof String text ? Redact.uri(text) : shown);
            }
        });
        return map;
    }

    /**
     * The options that shape the trained weights ({@link Param#isWeightShaping()}), by name: a checkpoint made with
     * other values of any of them cannot be resumed.
     */
    public Map<String, Object> weightShaping() {
        Map<String, Object> map = new LinkedHashMap<>();
        asMap().forEach((name, value) -> {
            if (JobParams.named(name).orElseThrow().isWeightShaping()) {
                map.put(name, value);
            }
        });
        return map;
    }

    /** A run id made from the current UTC time, e.g. {@code 20261129T020304Z}: sortable and unique per second. */
    public static String timestampRunId(Clock clock) {
        return RUN_ID_CLOCK.format(clock.instant().atOffset(ZoneOffset.UTC));
    }

    @Override
    public String toString() {
        return asMap().toString();
    }

    /** Collects values by option; {@link #build()} checks that the run can start with them. */
    public static final class Builder {

        private final Map<Param<?>, Object> values;

        private Builder(Map<Param<?>, Object> values) {
            this.values = values;
        }

        /** Whether the option has a value (given, or by default). */
        public boolean has(Param<?> param) {
            return values.get(param) != null;
        }

        /** Sets a typed value, checked against the option's bounds. */
        public <T> Builder set(Param<T> param, T value) {
            values.put(param, value == null ? null : param.check(value));
            return this;
        }

        /**
         * Sets the option called {@code name} from text.
         *
         * @param source where the text comes from, for messages: null for the command line, else e.g. the file
         * @throws BadInputException for an unknown name or a value the option does not accept
         */
        public Builder setText(String name, String text, String source) {
            Param<?> param = JobParams.named(name)
                    .filter(p -> source == null || !p.isCliOnly())
                    .orElseThrow(() -> new BadInputException((source == null ? "" : source + ": ") + "unknown "
                            + (source == null ? "option" : "key") + " '" + name + "', expected one of " + names()));
            values.put(param, text == null || text.isEmpty() ? param.defaultValue() : param.parse(text, source));
            return this;
        }

        /** The configuration; the run id must be set (the CLI defaults it to {@link #timestampRunId}). */
        public JobConfig build() {
            for (Param<?> param : JobParams.ALL) {
                if (values.get(param) == null && param.defaultValue() != null) {
                    throw new InvalidOptionException(param, null, null);
                }
            }
            if (values.get(JobParams.RUN_ID) == null) {
                throw new InvalidOptionException(JobParams.RUN_ID, null, null);
            }
            checkExamplesPerRound();
            return new JobConfig(values);
        }

        /**
         * Examples per averaging round ({@code workers x averaging-frequency x batch-size}) must fit the int counts of
         * DL4J's training master; each option alone is within its bounds, their product need not be.
         */
        private void checkExamplesPerRound() {
            int workers = (Integer) values.get(JobParams.WORKERS);
            int frequency = (Integer) values.get(JobParams.AVERAGING_FREQUENCY);
            int batch = (Integer) values.get(JobParams.BATCH_SIZE);
            long perRound = (long) Math.max(1, workers) * frequency * batch;
            if (perRound > Integer.MAX_VALUE) {
                throw new BadInputException("options --workers x --averaging-frequency x --batch-size: got " + workers
                        + " x " + frequency + " x " + batch + " = " + perRound
                        + " examples per averaging round, expected at most " + Integer.MAX_VALUE);
            }
        }

        private static TreeSet<String> names() {
            TreeSet<String> names = new TreeSet<>();
            JobParams.ALL.stream().filter(p -> !p.isCliOnly()).forEach(p -> names.add(p.name()));
            return names;
        }
    }
}
