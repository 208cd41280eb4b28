package dev.steadfast.crash;

import dev.steadfast.workflow.engine.WorkflowEngine;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Test-only control of the probe workflow inside the server: create, send "go", read status.
 * Lives only in the crash test's WAR.
 */
@WebServlet("/crash-probe/*")
public class CrashProbeServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Inject transient WorkflowEngine engine;

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String id = req.getParameter("id");
    switch (req.getPathInfo()) {
      case "/create" -> engine.client("crash-probe").create(id,
          Integer.valueOf(req.getParameter("n")));
      case "/poison" -> engine.client("poison-probe").create(id, null);
      case "/go" -> engine.client("crash-probe").get(id).sendEvent("go", null);
      default -> {
        resp.sendError(404);
        return;
      }
    }
    resp.getWriter().write("ok");
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String workflow = req.getParameter("workflow") != null ? req.getParameter("workflow")
        : "crash-probe";
    var s = engine.client(workflow).get(req.getParameter("id")).status();
    resp.getWriter().write(s.status().wireName() + (s.error() != null ? " " + s.error() : ""));
  }
}
