package dev.steadfast.agent;

import java.util.Map;

/** The answer of {@link Agent#onRequest}. */
public record AgentResponse(int status, String contentType, String body, Map<String, String> headers) {
  public static AgentResponse text(int status, String body) {
    return new AgentResponse(status, "text/plain; charset=utf-8", body, Map.of());
  }

  public static AgentResponse json(int status, String json) {
    return new AgentResponse(status, "application/json", json, Map.of());
  }
}
