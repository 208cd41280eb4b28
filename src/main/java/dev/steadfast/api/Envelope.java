package dev.steadfast.api;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The v4 envelope {@code {success, errors, messages, result, result_info?}} around every answer.
 * wrangler rejects any answer without {@code success: true}, so even a 404 for an unknown path
 * must come in it.
 */
public final class Envelope {
  private Envelope() {}

  public static Response ok(JsonValue result) {
    return ok(result, null);
  }

  public static Response ok(JsonValue result, JsonObject resultInfo) {
    JsonObjectBuilder b = Jsonp.P.createObjectBuilder()
        .add("success", true)
        .add("errors", JsonValue.EMPTY_JSON_ARRAY)
        .add("messages", JsonValue.EMPTY_JSON_ARRAY)
        .add("result", result == null ? JsonValue.NULL : result);
    if (resultInfo != null) {
      b.add("result_info", resultInfo);
    }
    return json(200, b.build());
  }

  /** As {@link #ok(JsonValue)} with the result already written as JSON text. */
  static Response okJson(String result) {
    return Response.ok(ENVELOPE_HEAD + result + "}")
        .type(MediaType.APPLICATION_JSON_TYPE.withCharset("UTF-8")).build();
  }

  private static final String ENVELOPE_HEAD =
      "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":";

  public static Response error(int status, int code, String message) {
    JsonObject body = Jsonp.P.createObjectBuilder()
        .add("success", false)
        .add("errors", Jsonp.P.createArrayBuilder().add(Jsonp.P.createObjectBuilder()
            .add("code", code).add("message", message == null ? "" : message)))
        .add("messages", JsonValue.EMPTY_JSON_ARRAY)
        .add("result", JsonValue.NULL)
        .build();
    return json(status, body);
  }

  public static Response error(ApiError e) {
    return error(e.status(), e.code(), e.getMessage());
  }

  private static Response json(int status, JsonObject body) {
    // a String entity: no JSON-B or provider configuration can change what clients receive
    return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE.withCharset("UTF-8"))
        .entity(body.toString()).build();
  }
}
