package dev.steadfast.agent;

import java.util.List;
import java.util.Map;

/**
 * What a client sent when connecting: the agent route, the {@code _pk}, query and headers. Given
 * to {@link AgentAuthenticator}s and to the agent's connect hooks.
 */
public record ConnectContext(
    String agent, String name, String connectionId, Map<String, String> query,
    Map<String, List<String>> headers) {
  /** A header's first value, case-insensitively; null when absent. */
  public String header(String name) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }

  /** A bearer token from {@code ?token=} or {@code Authorization: Bearer ...}; null if none. */
  public String token() {
    String q = query.get("token");
    if (q != null) {
      return q;
    }
    String auth = header("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).trim();
    }
    return null;
  }
}
