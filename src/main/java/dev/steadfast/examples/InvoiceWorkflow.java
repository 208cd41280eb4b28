package dev.steadfast.examples;

import dev.steadfast.workflow.Backoff;
import dev.steadfast.workflow.Rollback;
import dev.steadfast.workflow.StepConfig;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowStep;
import java.util.List;
import java.util.logging.Logger;

/**
 * The cart flow: charge the cart, wait a grace period, create the invoice, then send it,
 * retrying delivery with a constant delay. A saga: when sending fails for good (a customer
 * without a mailbox, e.g. {@code "nobody"}), the instance rolls back: the invoice is voided, then
 * the charge is refunded (see docs/rollbacks.md).
 */
@Workflow(name = "invoice", binding = "INVOICE_WORKFLOW")
public class InvoiceWorkflow extends WorkflowEntrypoint<InvoiceWorkflow.Cart, InvoiceWorkflow.Invoice> {
  private static final Logger LOG = Logger.getLogger(InvoiceWorkflow.class.getName());

  /** The checked-out cart; {@code grace} is a duration like "5 seconds". */
  public record Cart(String customer, List<Line> lines, String grace) {}

  /** A cart line. */
  public record Line(String product, int quantity, long unitCents) {}

  /** The instance's output. */
  public record Invoice(String number, String customer, long totalCents, String delivery) {}

  @Override
  public Invoice run(WorkflowEvent<Cart> event, WorkflowStep step) {
    Cart cart = event.payload();
    long total = step.run("charge cart", Long.class,
        () -> cart.lines().stream().mapToLong(l -> l.quantity() * l.unitCents()).sum(),
        // the compensation: gets the step's result (the amount charged), retried on its own
        Rollback.of(ctx -> {
          if (ctx.succeeded()) {
            LOG.info("refunded " + ctx.output() + " cents to " + cart.customer());
          }
        }));
    step.sleep("grace period", cart.grace() == null ? "5 seconds" : cart.grace());
    String number = step.run("create invoice", () -> "INV-" + event.instanceId(),
        Rollback.of(ctx -> LOG.info("voided invoice " + ctx.output())));
    String delivery = step.run("send invoice",
        StepConfig.retries(3).delay("2 seconds").backoff(Backoff.CONSTANT), () -> {
          if (!cart.customer().contains("@")) {
            throw new IllegalStateException("no mailbox for '" + cart.customer() + "'");
          }
          return "sent to " + cart.customer();
        });
    return new Invoice(number, cart.customer(), total, delivery);
  }
}
