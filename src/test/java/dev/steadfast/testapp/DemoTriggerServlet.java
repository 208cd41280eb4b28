package dev.steadfast.testapp;

import dev.steadfast.examples.InvoiceWorkflow;
import dev.steadfast.examples.ProcessingWorkflow;
import dev.steadfast.workflow.InstanceStatus;
import dev.steadfast.workflow.WorkflowBinding;
import dev.steadfast.workflow.WorkflowClient;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;

/**
 * Added by {@code PostgresServerIT} to the real steadfast.war so that the test can start demo
 * workflows without the REST API: {@code POST /it/demo?run=processing|invoice&id=ID} creates an
 * instance, {@code GET} the same answers "status\noutput".
 */
@WebServlet("/it/demo")
public class DemoTriggerServlet extends HttpServlet {

  @Inject
  @WorkflowBinding("PROCESSING_WORKFLOW")
  WorkflowClient<ProcessingWorkflow.Params> processing;

  @Inject
  @WorkflowBinding("INVOICE_WORKFLOW")
  WorkflowClient<InvoiceWorkflow.Cart> invoice;

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String id = req.getParameter("id");
    String created = switch (req.getParameter("run")) {
      case "processing" -> processing.create(id,
          new ProcessingWorkflow.Params(List.of("alpha", "beta", "gamma"), 50)).id();
      case "invoice" -> invoice.create(id, new InvoiceWorkflow.Cart("ada@example.com",
          List.of(new InvoiceWorkflow.Line("book", 2, 1250)), "1 second")).id();
      default -> null;
    };
    if (created == null) {
      resp.sendError(400, "run=processing or run=invoice");
      return;
    }
    resp.setContentType("text/plain");
    resp.getWriter().print(created);
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    WorkflowClient<?> client = "invoice".equals(req.getParameter("run")) ? invoice : processing;
    InstanceStatus s = client.get(req.getParameter("id")).status();
    resp.setContentType("text/plain");
    resp.getWriter().print(s.status().wireName() + "\n" + s.outputJson());
  }
}
