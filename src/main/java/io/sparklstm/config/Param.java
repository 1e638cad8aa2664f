package io.sparklstm.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One option of the job, declared once in {@link JobParams}: its name (the command-line option without dashes, which
 * is also its key in properties files and in {@code config.json}), type, default, the values it accepts (lower and
 * upper bounds for numbers), a description, and whether it shapes the trained weights. Everything else is derived
 * from the declaration: the command line and its {@code --help}, validation and its messages, the keys a properties
 * file may use, {@code config.json}, the resume fingerprint, {@code docs/options.md} and the bundled
 * {@code conf/sparklstm.properties}.
 *
 * <p>Values are parsed from text by the declaration itself (never by a caller), so an option typed on the command line
 * and the same key in a properties file are checked by the same code and fail with a message naming the option, the
 * value, what was expected and, for a file, the file.
 *
 * @param <T> the value's type
 */
public final class Param<T> {

    private final String name;
    private final String label;
    private final Class<T> type;
    private final T defaultValue;
    private final String description;
    private final String expected;
    private final Function<String, T> parser;
    private final boolean shapesWeights;
    private final boolean cliOnly;
    private final String note;

    private Param(
            String name,
            String label,
            Class<T> type,
            T defaultValue,
            String description,
            String expected,
            Function<String, T> parser,
            boolean shapesWeights,
            boolean cliOnly,
            String note) {
        this.name = name;
        this.label = label;
        this.type = type;
        this.defaultValue = defaultValue;
        this.description = description;
        this.expected = expected;
        this.parser = parser;
        this.shapesWeights = shapesWeights;
        this.cliOnly = cliOnly;
        this.note = note;
    }

    /** An integer in {@code [min, max]}. */
    static Param<Integer> integer(String name, String label, int min, int max, int defaultValue, String description) {
        String expected = "an integer from " + min + " to " + max;
        return new Param<>(
                name,
                label,
                Integer.class,
                defaultValue,
                description,
                expected,
                raw -> {
                    int value = Integer.parseInt(raw);
                    if (value < min || value > max) {
                        throw new IllegalArgumentException();
                    }
                    return value;
                },
                false,
                false,
                null);
    }

    /** Any 64-bit integer. */
    static Param<Long> anyLong(String name, String label, long defaultValue, String description) {
        return new Param<>(
                name, label, Long.class, defaultValue, description, "an integer", Long::parseLong, false, false, null);
    }

    /**
     * A finite number between {@code min} and {@code max}; {@code minOpen} excludes {@code min} itself (e.g. a rate
     * that must be positive).
     */
    static Param<Double> number(
            String name, String label, double min, boolean minOpen, double max, double defaultValue, String desc) {
        String expected = "a number " + (minOpen ? "> " : ">= ") + plain(min) + " and <= " + plain(max);
        return new Param<>(
                name,
                label,
                Double.class,
                defaultValue,
                desc,
                expected,
                raw -> {
                    double value = Double.parseDouble(raw);
                    if (!(minOpen ? value > min : value >= min) || !(value <= max)) {
                        throw new IllegalArgumentException();
                    }
                    return value;
                },
                false,
                false,
                null);
    }

    /** {@code true} or {@code false}; on the command line the bare option means true. */
    static Param<Boolean> flag(String name, boolean defaultValue, String description) {
        return new Param<>(
                name,
                null,
                Boolean.class,
                defaultValue,
                description,
                "true or false",
                raw -> switch (raw.toLowerCase(Locale.ROOT)) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw new IllegalArgumentException();
                },
                false,
                false,
                null);
    }

    /** Non-blank text matching {@code pattern}; {@code defaultValue} null means the option has no default. */
    static Param<String> text(
            String name, String label, String defaultValue, Pattern pattern, String expected, String description) {
        return new Param<>(
                name,
                label,
                String.class,
                defaultValue,
                description,
                expected,
                raw -> {
                    if (raw.isBlank() || !pattern.matcher(raw).matches()) {
                        throw new IllegalArgumentException();
                    }
                    return raw;
                },
                false,
                false,
                null);
    }

    /** One of an enum's constants, written in lower case. */
    static <E extends Enum<E>> Param<E> choice(
            String name, String label, Class<E> type, E defaultValue, String description) {
        String choices = Arrays.stream(type.getEnumConstants())
                .map(c -> c.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(" or "));
        return new Param<>(
                name,
                label,
                type,
                defaultValue,
                description,
                choices,
                raw -> Enum.valueOf(type, raw.trim().toUpperCase(Locale.ROOT)),
                false,
                false,
                null);
    }

    /** This option, marked as shaping the trained weights: it is part of the resume fingerprint. */
    Param<T> shapesWeights() {
        return new Param<>(name, label, type, defaultValue, description, expected, parser, true, cliOnly, note);
    }

    /** This option, accepted on the command line only (not in properties files, not in {@code config.json}). */
    Param<T> cliOnly() {
        return new Param<>(name, label, type, defaultValue, description, expected, parser, shapesWeights, true, note);
    }

    /** This option with a note on why its default is what it is (shown in the bundled properties file). */
    Param<T> note(String why) {
        return new Param<>(name, label, type, defaultValue, description, expected, parser, shapesWeights, cliOnly, why);
    }

    /**
     * Parses and checks a value given as text.
     *
     * @param source where the text came from, for the message: null for the command line, else e.g. the file
     * @throws InvalidOptionException naming the option (and the source) and what was expected
     */
    public T parse(String raw, String source) {
        if (raw == null) {
            throw new InvalidOptionException(this, source, null);
        }
        try {
            return parser.apply(raw.trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(this, source, raw);
        }
    }

    /** Checks a typed value, set in code rather than parsed, against the same bounds. */
    T check(T value) {
        Objects.requireNonNull(value, name);
        return parse(format(value), null);
    }

    /** The value as it is written on the command line and in properties files. */
    public String format(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }
        if (value instanceof Double d) {
            return plain(d);
        }
        return value.toString();
    }

    private static String plain(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? Long.toString((long) value)
                : Double.toString(value).replace("E", "e");
    }

    /** The key in properties files and {@code config.json}, e.g. {@code batch-size}. */
    public String name() {
        return name;
    }

    /** The command-line option, e.g. {@code --batch-size}. */
    public String option() {
        return "--" + name;
    }

    /** The placeholder of its value in {@code --help}, e.g. {@code N}; null for a flag. */
    public String label() {
        return label;
    }

    public Class<T> type() {
        return type;
    }

    public boolean isFlag() {
        return type == Boolean.class;
    }

    /** The default, or null when the option has none. */
    public T defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** What the option accepts, e.g. {@code an integer from 1 to 4096}. */
    public String expected() {
        return expected;
    }

    /** Whether a different value trains different weights, so a checkpoint made with another value cannot resume. */
    public boolean isWeightShaping() {
        return shapesWeights;
    }

    /** Whether the option exists only on the command line (e.g. {@code --config} itself). */
    public boolean isCliOnly() {
        return cliOnly;
    }

    /** Why the default is what it is, or null. */
    public String note() {
        return note;
    }

    @Override
    public String toString() {
        return option();
    }
}
