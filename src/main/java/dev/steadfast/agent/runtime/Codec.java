package dev.steadfast.agent.runtime;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.lang.reflect.Type;

/**
 * The wire codec: values to and from JSON text (JSON-B) and the protocol frames. Frames are built
 * by splicing JSON texts, so a state or result is serialized exactly once.
 */
public final class Codec {
  /**
   * Looked up once: {@code Json.createReader} and friends look the provider up on every call,
   * which in an application server means a classloader resource scan per message.
   */
  private static final JsonProvider JSON = JsonProvider.provider();

  private final Jsonb jsonb = JsonbBuilder.create(new JsonbConfig().withNullValues(true));

  /** JSON text of any value; null becomes {@code null}. */
  public String write(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof JsonValue j) {
      return j.toString();
    }
    return jsonb.toJson(value);
  }

  public Object read(String json, Type type) {
    if (json == null || json.equals("null")) {
      return null;
    }
    if (type == String.class && json.startsWith("\"")) {
      return ((JsonString) parse(json)).getString(); // JSON-B refuses a bare top-level string
    }
    return jsonb.fromJson(json, type);
  }

  /** Parses any JSON text; throws on garbage. */
  public static JsonValue parse(String text) {
    try (var r = JSON.createReader(new StringReader(text))) {
      return r.readValue();
    }
  }

  public static String quote(String s) {
    return JSON.createValue(s).toString();
  }

  // --- server -> client frames

  public static String identity(String name, String agent, boolean stateFollows) {
    return "{\"type\":\"cf_agent_identity\",\"name\":" + quote(name) + ",\"agent\":"
        + quote(agent) + (stateFollows ? ",\"stateFollows\":true}" : "}");
  }

  public static String state(String stateJson) {
    return "{\"type\":\"cf_agent_state\",\"state\":" + stateJson + "}";
  }

  public static final String MCP_SERVERS = "{\"type\":\"cf_agent_mcp_servers\",\"mcp\":"
      + "{\"servers\":{},\"tools\":[],\"prompts\":[],\"resources\":[]}}";

  public static String stateError(String error) {
    return "{\"type\":\"cf_agent_state_error\",\"error\":" + quote(error) + "}";
  }

  /** A success reply; {@code resultJson} null omits the result (a void method). */
  public static String rpcResult(String id, boolean done, String resultJson) {
    return "{\"type\":\"rpc\",\"id\":" + quote(id) + ",\"success\":true,\"done\":" + done
        + (resultJson == null ? "" : ",\"result\":" + resultJson) + "}";
  }

  public static String rpcError(String id, String message) {
    return "{\"type\":\"rpc\",\"id\":" + quote(id) + ",\"success\":false,\"error\":"
        + quote(message == null ? "Unknown error" : message) + "}";
  }

  // --- client -> server frames

  /** A parsed client frame: an RPC, a state update, or anything else (for onMessage). */
  public sealed interface Frame permits Rpc, StateUpdate, Other {}

  public record Rpc(String id, String method, java.util.List<JsonValue> args) implements Frame {}

  public record StateUpdate(JsonValue state) implements Frame {}

  public record Other(String text) implements Frame {}

  /** Classifies a text frame; never throws. */
  public static Frame classify(String text) {
    JsonValue v;
    try {
      v = parse(text);
    } catch (RuntimeException e) {
      return new Other(text);
    }
    if (!(v instanceof JsonObject o)) {
      return new Other(text);
    }
    JsonValue type = o.get("type");
    if (type instanceof JsonString t) {
      if (t.getString().equals("rpc") && o.get("id") instanceof JsonString id
          && o.get("method") instanceof JsonString m
          && o.get("args") instanceof jakarta.json.JsonArray args) {
        return new Rpc(id.getString(), m.getString(), args);
      }
      if (t.getString().equals("cf_agent_state") && o.containsKey("state")) {
        return new StateUpdate(o.get("state"));
      }
    }
    return new Other(text);
  }
}
