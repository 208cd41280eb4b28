package dev.steadfast.crash;

import dev.steadfast.agent.Agents;
import dev.steadfast.agent.RunWorkflowOptions;
import dev.steadfast.agent.TrackedWorkflow;
import dev.steadfast.agent.WorkflowQuery;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Drives CrashAgent from plain server code through {@code Agents.get}: starts workflows, and
 * reports per workflow how often each state change shows in the agent's state, and its tracked
 * status. Lives only in AgentWorkflowCrashIT's WAR.
 */
@WebServlet("/crash-agent/*")
public class CrashAgentServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    int n = Integer.parseInt(req.getParameter("n"));
    for (int i = 0; i < n; i++) {
      String id = "cw-" + i;
      Agents.get(CrashAgent.class, "main").run(a -> a.runWorkflow("crash-agent-flow", Map.of(),
          RunWorkflowOptions.withId(id)));
    }
    resp.getWriter().write("ok");
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    StringBuilder out = new StringBuilder();
    Agents.get(CrashAgent.class, "main").run(a -> {
      Map<String, Object> s = a.state();
      for (TrackedWorkflow w : a.getWorkflows(WorkflowQuery.all().limit(100).ascending())
          .workflows()) {
        String id = w.workflowId();
        out.append(id).append(' ').append(w.status())
            .append(" events=").append(count(s.get("events"), id))
            .append(" completions=").append(count(s.get("completions"), id))
            .append(" merged=").append("merged".equals(s.get("m_" + id)) ? 1 : 0).append('\n');
      }
    });
    resp.getWriter().write(out.toString());
  }

  private static long count(Object list, String id) {
    return list instanceof List<?> l ? l.stream().filter(id::equals).count() : 0;
  }
}
