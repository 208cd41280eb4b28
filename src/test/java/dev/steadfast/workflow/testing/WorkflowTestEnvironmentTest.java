package dev.steadfast.workflow.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.examples.ApprovalWorkflow;
import dev.steadfast.examples.InvoiceWorkflow;
import dev.steadfast.examples.ResilientCallWorkflow;
import dev.steadfast.workflow.InstanceStatus;
import dev.steadfast.workflow.NonRetryableError;
import dev.steadfast.workflow.RollbackOutcome;
import dev.steadfast.workflow.Status;
import dev.steadfast.workflow.WorkflowInstance;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The testing kit, used the way a workflow author would: on the demo workflows. */
class WorkflowTestEnvironmentTest {
  WorkflowTestEnvironment env;

  @BeforeEach
  void start() {
    env = WorkflowTestEnvironment.builder()
        .register(InvoiceWorkflow.class, InvoiceWorkflow::new)
        .register(ApprovalWorkflow.class, ApprovalWorkflow::new)
        .register(ResilientCallWorkflow.class, ResilientCallWorkflow::new)
        .start();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  static InvoiceWorkflow.Cart cart(String grace) {
    return new InvoiceWorkflow.Cart("ada@example.com",
        List.of(new InvoiceWorkflow.Line("book", 2, 1500)), grace);
  }

  @Test
  void aMonthLongSleepPassesOnTheVirtualClock() {
    Instant before = env.clock().instant();
    long t0 = System.nanoTime();
    WorkflowInstance i = env.<InvoiceWorkflow.Cart>client("invoice").create("c-1", cart("30 days"));
    InstanceStatus s = env.awaitStatus(i, Status.COMPLETE);
    assertEquals(3000L, s.output(InvoiceWorkflow.Invoice.class).totalCents());
    assertTrue(env.clock().instant().isAfter(before.plus(Duration.ofDays(30)).minusSeconds(1)),
        "virtual time moved a month");
    assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "in real time it took seconds at most");
  }

  @Test
  void mockedStepResultReplacesTheStep() {
    env.introspect("c-2").mockStepResult("charge cart", 99L).disableSleeps();
    WorkflowInstance i = env.<InvoiceWorkflow.Cart>client("invoice").create("c-2", cart("1 year"));
    InstanceStatus s = env.awaitStatus(i, Status.COMPLETE);
    assertEquals(99L, s.output(InvoiceWorkflow.Invoice.class).totalCents());
  }

  @Test
  void mockedStepErrorsAreRetriedWithoutDelay() {
    env.introspect("c-3").mockStepError("send invoice", new IllegalStateException("smtp down"), 2)
        .disableRetryDelays();
    WorkflowInstance i = env.<InvoiceWorkflow.Cart>client("invoice").create("c-3", cart("1 second"));
    env.awaitStatus(i, Status.COMPLETE);
    var attempts = env.engine().view("invoice", "c-3").attempts().get("do:send invoice-1");
    assertEquals(3, attempts.size());
    assertEquals("smtp down", attempts.get(0).errorMessage());
  }

  @Test
  void whenSendingFailsForGoodTheInvoiceIsVoidedAndTheChargeRefunded() {
    env.introspect("c-9").disableSleeps().disableRetryDelays();
    WorkflowInstance i = env.<InvoiceWorkflow.Cart>client("invoice").create("c-9",
        new InvoiceWorkflow.Cart("nobody", List.of(new InvoiceWorkflow.Line("book", 2, 1500)), null));
    InstanceStatus s = env.awaitStatus(i, Status.ERRORED);
    assertEquals("no mailbox for 'nobody'", s.error().message());
    assertEquals(RollbackOutcome.State.ROLLED_BACK, s.rollback().state());
    var rollbacks = env.engine().view("invoice", "c-9").steps().stream()
        .filter(x -> x.kind().equals("rollback")).map(x -> x.name() + ":" + x.state()).toList();
    assertEquals(List.of("create invoice:succeeded", "charge cart:succeeded"), rollbacks,
        "the invoice is voided, then the charge refunded");
  }

  @Test
  void aMockedCompensationFailureFailsTheRollbackThere() {
    env.introspect("c-10").disableSleeps().disableRetryDelays()
        .mockRollbackError("create invoice", new IllegalStateException("ledger locked"));
    WorkflowInstance i = env.<InvoiceWorkflow.Cart>client("invoice").create("c-10",
        new InvoiceWorkflow.Cart("nobody", List.of(), "1 day"));
    InstanceStatus s = env.awaitStatus(i, Status.ERRORED);
    RollbackOutcome r = s.rollback();
    assertEquals(RollbackOutcome.State.FAILED, r.state());
    assertEquals("create invoice-1", r.step());
    assertEquals("ledger locked", r.error().message());
    var attempts = env.engine().view("invoice", "c-10").attempts()
        .get("rollback:create invoice-1");
    assertEquals(6, attempts.size(), "the default retries (5) of a compensation, no delay");
    assertTrue(env.engine().view("invoice", "c-10").steps().stream()
        .noneMatch(x -> x.key().equals("rollback:charge cart-1")),
        "the refund, after the failed compensation, did not run");
  }

  @Test
  void aCompensationMockedToFailTwiceSucceedsOnItsThirdAttempt() {
    env.introspectAll("invoice").disableSleeps().disableRetryDelays()
        .mockRollbackError("charge cart", new IllegalStateException("bank busy"), 2);
    WorkflowInstance i = env.<InvoiceWorkflow.Cart>client("invoice").create("c-11",
        new InvoiceWorkflow.Cart("nobody", List.of(), null));
    InstanceStatus s = env.awaitStatus(i, Status.ERRORED);
    assertEquals(RollbackOutcome.State.ROLLED_BACK, s.rollback().state());
    assertEquals(3, env.engine().view("invoice", "c-11").attempts().get("rollback:charge cart-1")
        .size());
  }

  @Test
  void aMockedNonRetryableErrorFailsTheInstance() {
    env.introspectAll("invoice").mockStepError("charge cart", new NonRetryableError("card declined"));
    WorkflowInstance i = env.<InvoiceWorkflow.Cart>client("invoice").create("c-4", cart("1 second"));
    InstanceStatus s = env.awaitStatus(i, Status.ERRORED);
    assertEquals("card declined", s.error().message());
  }

  @Test
  void mockedEventsAndForcedTimeouts() {
    env.introspect("a-1").mockEvent("approval", new ApprovalWorkflow.Decision(true, "fine"));
    var approvals = env.<ApprovalWorkflow.Request>client("approval");
    InstanceStatus s = env.awaitStatus(
        approvals.create("a-1", new ApprovalWorkflow.Request("laptop", 1200, "1 hour")), Status.COMPLETE);
    assertEquals("approved", s.output(ApprovalWorkflow.Outcome.class).status());

    env.introspect("a-2").forceEventTimeout("wait for approval");
    s = env.awaitStatus(
        approvals.create("a-2", new ApprovalWorkflow.Request("desk", 300, "7 days")), Status.COMPLETE);
    assertEquals("escalated", s.output(ApprovalWorkflow.Outcome.class).status());

    // no mock: the 7-day timeout passes on the virtual clock
    s = env.awaitStatus(
        approvals.create("a-3", new ApprovalWorkflow.Request("chair", 80, "7 days")), Status.COMPLETE);
    assertEquals("escalated", s.output(ApprovalWorkflow.Outcome.class).status());
  }

  @Test
  void aMockedSensitiveStepIsRedactedAndFullOutputsAreReadable() {
    env.introspect("r-2").mockStepResult("load api key", "sk_test_mocked").disableRetryDelays();
    WorkflowInstance i = env.<ResilientCallWorkflow.Params>client("resilient-call")
        .create("r-2", new ResilientCallWorkflow.Params(1, false));
    assertEquals("paid on attempt 2", env.awaitStatus(i, Status.COMPLETE).output(String.class));
    assertEquals("\"[REDACTED]\"",
        env.stepOutput("resilient-call", "r-2", "load api key-1").orElseThrow().outputJson());
    var first = env.stepOutput("resilient-call", "r-2", "call payment service-1", "step", 1)
        .orElseThrow();
    assertEquals("errored", first.status());
    assertEquals("IOException", first.errorName());
    assertTrue(env.stepOutput("resilient-call", "r-2", "nothing-1").isEmpty());
  }

  @Test
  void forcedStepTimeoutsCountAsFailedAttempts() {
    env.introspect("r-1").forceStepTimeout("call payment service", 1);
    WorkflowInstance i = env.<ResilientCallWorkflow.Params>client("resilient-call")
        .create("r-1", new ResilientCallWorkflow.Params(0, false));
    InstanceStatus s = env.awaitStatus(i, Status.COMPLETE);
    assertEquals("paid on attempt 2", s.output(String.class));
    var attempts = env.engine().view("resilient-call", "r-1").attempts().get("do:call payment service-1");
    assertEquals("TimeoutError", attempts.get(0).errorName());
  }
}
