package io.sparklstm.cli;

import io.sparklstm.model.LstmImplementation;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code fast} / {@code stock}, case-insensitive. */
final class LstmImplementationConverter implements ITypeConverter<LstmImplementation> {
    @Override
    public LstmImplementation convert(String value) {
        try {
            return LstmImplementation.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + value + "' is not an LSTM implementation, expected fast or stock");
        }
    }
}
