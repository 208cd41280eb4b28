package dev.steadfast.agent.runtime;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.Config;

/**
 * The agent URL space: {@code /<prefix>/<agent>/<name>[/sub/path]}. The prefix is the client's
 * {@code prefix} option ({@code steadfast.agents.prefix}, default {@code agents}, may hold
 * {@code /}); empty segments are ignored everywhere, as the client may send {@code //agents/..}.
 */
public final class AgentRoutes {
  public static final String PREFIX_KEY = "steadfast.agents.prefix";
  public static final String DEFAULT_PREFIX = "agents";
  /** URI templates have no wildcard, so sub-paths are served up to this depth. */
  static final int MAX_SUB_SEGMENTS = 3;
  private final List<String> prefix;

  public AgentRoutes(String prefix) {
    this.prefix = segments(prefix);
    if (this.prefix.isEmpty()) {
      throw new IllegalArgumentException(PREFIX_KEY + " must name at least one path segment");
    }
  }

  public static AgentRoutes from(Config config) {
    return new AgentRoutes(config.getOptionalValue(PREFIX_KEY, String.class)
        .orElse(DEFAULT_PREFIX));
  }

  /** The non-empty, URL-decoded segments of {@code path}. */
  static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        out.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  /** The normalized prefix, without leading or trailing slash. */
  public String prefix() {
    return String.join("/", prefix);
  }

  /** The WebSocket endpoint paths: the route with 0 to 3 sub-path segments. */
  List<String> templates() {
    List<String> out = new ArrayList<>();
    StringBuilder path = new StringBuilder("/" + prefix() + "/{agent}/{name}");
    out.add(path.toString());
    for (int i = 1; i <= MAX_SUB_SEGMENTS; i++) {
      out.add(path.append("/{p").append(i).append('}').toString());
    }
    return out;
  }

  /** The route of a context-relative path, or null when it is not an agent route. */
  public Route match(String path) {
    List<String> s = segments(path);
    if (s.size() < prefix.size() + 2 || !s.subList(0, prefix.size()).equals(prefix)) {
      return null;
    }
    int at = prefix.size();
    return new Route(s.get(at), s.get(at + 1), List.copyOf(s.subList(at + 2, s.size())));
  }

  /** An agent route; {@code sub} holds the segments after the instance name. */
  public record Route(String agent, String name, List<String> sub) {
    public String subPath() {
      return "/" + String.join("/", sub);
    }

    /** The client's reserved sub-agent shape {@code …/sub/{child}/{childName}}. */
    public boolean subAgent() {
      return sub.size() >= 3 && sub.get(0).equals("sub");
    }
  }
}
