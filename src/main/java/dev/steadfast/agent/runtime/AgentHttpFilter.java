package dev.steadfast.agent.runtime;

import dev.steadfast.agent.AgentRequest;
import dev.steadfast.agent.AgentResponse;
import dev.steadfast.agent.ConnectContext;
import jakarta.ejb.EJB;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.Config;

/**
 * Front door of the agent routes (under the configured prefix): an unknown agent class answers
 * 400 "Invalid request" (also for WebSocket upgrades, before the handshake), a WebSocket upgrade
 * continues to the endpoint, and any other request goes to the agent's {@code onRequest}. A
 * filter rather than a servlet because the WebSocket upgrade must pass through on the same
 * paths; mapped to every path because the prefix comes from configuration.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class AgentHttpFilter extends HttpFilter {
  @EJB AgentRegistry registry;

  @Inject Config config;

  private volatile AgentRoutes routes;

  @Override
  public void init() {
    routes = AgentRoutes.from(config);
  }

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    String uri = req.getRequestURI().substring(req.getContextPath().length());
    AgentRoutes.Route route = routes.match(uri);
    if (route == null) {
      chain.doFilter(req, res); // not an agent route
      return;
    }
    AgentRuntime rt = registry.runtime();
    if (rt == null) {
      res.sendError(503, "agents are starting");
      return;
    }
    String agent = route.agent();
    String name = route.name();
    if (!rt.knows(agent)) {
      text(res, 400, "Invalid request");
      return;
    }
    if ("websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
      chain.doFilter(uri.contains("//") ? new CollapsedPath(req) : req, res);
      return;
    }
    Map<String, String> query = new LinkedHashMap<>();
    req.getParameterMap().forEach((k, v) -> query.put(k, v.length == 0 ? "" : v[0]));
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String h : Collections.list(req.getHeaderNames())) {
      headers.put(h, Collections.list(req.getHeaders(h)));
    }
    if (!rt.admit(new ConnectContext(agent, name, UUID.randomUUID().toString(), query, headers))) {
      text(res, 401, "Unauthorized");
      return;
    }
    String body = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    AgentResponse r = rt.request(agent, name,
        new AgentRequest(req.getMethod(), route.subPath(), query, headers, body));
    res.setStatus(r.status());
    r.headers().forEach(res::setHeader);
    if (r.contentType() != null) {
      res.setContentType(r.contentType());
    }
    if (r.body() != null) {
      res.getOutputStream().write(r.body().getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * The upgrade request with empty path segments dropped: the client sends {@code //p/a/n} for a
   * prefix given with a leading slash, and the WebSocket container matches the URI literally.
   */
  static final class CollapsedPath extends HttpServletRequestWrapper {
    CollapsedPath(HttpServletRequest req) {
      super(req);
    }

    @Override
    public String getRequestURI() {
      return super.getRequestURI().replaceAll("/{2,}", "/");
    }
  }

  private static void text(HttpServletResponse res, int status, String body) throws IOException {
    res.setStatus(status);
    res.setContentType("text/plain; charset=utf-8");
    res.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
  }
}
