package com.example.shop;

import dev.steadfast.workflow.InstanceStatus;
import dev.steadfast.workflow.WorkflowBinding;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowInstance;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code POST /welcome?email=...} starts a welcome workflow and answers its instance id;
 * {@code GET /welcome?id=...} answers its status and output.
 */
@WebServlet("/welcome")
public class WelcomeServlet extends HttpServlet {

  @Inject
  @WorkflowBinding("WELCOME_WORKFLOW")
  WorkflowClient<WelcomeWorkflow.Signup> welcome;

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    WorkflowInstance instance =
        welcome.create(new WelcomeWorkflow.Signup(req.getParameter("email"), "1 second"));
    resp.setContentType("text/plain");
    resp.getWriter().print(instance.id());
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    InstanceStatus s = welcome.get(req.getParameter("id")).status();
    resp.setContentType("text/plain");
    resp.getWriter().print(s.status().wireName() + "\n" + s.outputJson());
  }
}
