package io.sparklstm.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.HexFormat;
import java.util.Map;

/** A stable hash of a settings map: SHA-256 of its JSON with sorted keys. */
final class Settings {

    private Settings() {}

    /** The map as it reads back from JSON (e.g. a long 12345 becomes the int 12345), for comparisons. */
    static Map<String, Object> normalized(Map<String, Object> settings) {
        try {
            return Json.MAPPER.readValue(
                    Json.MAPPER.writeValueAsBytes(settings),
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("settings are not serializable", e);
        }
    }

    static String sha256(Map<String, Object> settings) {
        try {
            byte[] json = Json.MAPPER
                    .copy()
                    .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                    .disable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsBytes(settings);
            return HexFormat.of().formatHex(ModelFile.sha256().digest(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("settings are not serializable", e);
        }
    }
}
