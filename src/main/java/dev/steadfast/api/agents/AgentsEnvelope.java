package dev.steadfast.api.agents;

import jakarta.json.Json;
import jakarta.json.JsonValue;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The v4 envelope for the agents admin view (kept separate from the workflows API's). */
final class AgentsEnvelope {
  private AgentsEnvelope() {}

  static Response ok(JsonValue result) {
    return json(200, Json.createObjectBuilder().add("success", true)
        .add("errors", JsonValue.EMPTY_JSON_ARRAY).add("messages", JsonValue.EMPTY_JSON_ARRAY)
        .add("result", result).build().toString());
  }

  static Response error(int status, int code, String message) {
    return json(status, Json.createObjectBuilder().add("success", false)
        .add("errors", Json.createArrayBuilder().add(Json.createObjectBuilder()
            .add("code", code).add("message", message)))
        .add("messages", JsonValue.EMPTY_JSON_ARRAY).add("result", JsonValue.NULL)
        .build().toString());
  }

  private static Response json(int status, String body) {
    return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
  }
}
