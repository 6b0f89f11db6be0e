package io.rusm.wire.internal;

import io.rusm.wire.BadRequestException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.lang.reflect.Type;

/** JSON payloads of the wire: one Jackson 3 mapper, the same library as {@code Kv}. */
public final class Json {
    public static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {}

    /** The elements of a JSON array ("" is the empty array). */
    public static JsonNode[] array(String json) {
        if (json == null || json.isEmpty()) return new JsonNode[0];
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new BadRequestException("arguments are not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isArray()) {
            throw new BadRequestException("arguments must be a JSON array, one element per parameter; got " + (node == null ? "nothing" : node.getNodeType()));
        }
        JsonNode[] out = new JsonNode[node.size()];
        for (int i = 0; i < out.length; i++) out[i] = node.get(i);
        return out;
    }

    public static Object read(JsonNode node, Type type) {
        JavaType t = MAPPER.getTypeFactory().constructType(type);
        return MAPPER.treeToValue(node, t);
    }

    public static Object read(String json, Type type) {
        if (json == null || json.isEmpty()) return null;
        return MAPPER.readValue(json, MAPPER.getTypeFactory().constructType(type));
    }

    public static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }
}
