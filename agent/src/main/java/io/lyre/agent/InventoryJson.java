package io.lyre.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lyre.devices.HostInventory;
import java.io.UncheckedIOException;

/** The inventory as JSON, the shape the agent also sends to the proxy. */
public final class InventoryJson {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private InventoryJson() {
    }

    public static String write(HostInventory inventory) {
        try {
            return MAPPER.writeValueAsString(inventory) + System.lineSeparator();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static HostInventory read(String json) {
        try {
            return MAPPER.readValue(json, HostInventory.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not an inventory: " + e.getOriginalMessage(), e);
        }
    }
}
