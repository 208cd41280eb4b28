package dev.steadfast.workflow.engine.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.examples.AgentProcessingWorkflow;
import dev.steadfast.examples.ApprovalWorkflow;
import dev.steadfast.examples.DataProcessingWorkflow;
import dev.steadfast.examples.EtlWorkflow;
import dev.steadfast.examples.ExpenseApprovalWorkflow;
import dev.steadfast.examples.InvoiceWorkflow;
import dev.steadfast.examples.ParentWorkflow;
import dev.steadfast.examples.ProcessingWorkflow;
import dev.steadfast.examples.ResearchWorkflow;
import dev.steadfast.examples.ResilientCallWorkflow;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowStep;
import dev.steadfast.workflow.engine.TestWorkflows;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * The code diagrams of the demo workflows, read from their class files. Each is written as an
 * outline: {@code do(name)}, {@code sleep(name,duration)}, {@code wait(name,type)},
 * {@code loop{…}}, {@code if{then|else}}, {@code try{…}catch{…}}, {@code all{…}}.
 */
class WorkflowGraphTest {
  static JsonArray nodes(Class<?> type) {
    JsonObject g = WorkflowGraph.of(type);
    assertEquals(1, g.getInt("version"));
    assertEquals(type.getName(), g.getJsonObject("workflow").getString("class_name"));
    return g.getJsonObject("workflow").getJsonArray("nodes");
  }

  static String outline(Class<?> type) {
    return outline(nodes(type));
  }

  static String outline(JsonArray nodes) {
    List<String> parts = new ArrayList<>();
    for (JsonValue v : nodes) {
      JsonObject n = v.asJsonObject();
      parts.add(switch (n.getString("type")) {
        case "step_do" -> "do(" + n.getString("name") + ")";
        case "step_sleep" -> "sleep(" + n.getString("name") + "," + n.getString("duration") + ")";
        case "step_wait_for_event" -> "wait(" + n.getString("name") + ","
            + n.getJsonObject("options").getString("event_type") + ")";
        case "loop" -> "loop{" + outline(n.getJsonArray("nodes")) + "}";
        case "parallel" -> "all{" + outline(n.getJsonArray("nodes")) + "}";
        case "block" -> "block{" + outline(n.getJsonArray("nodes")) + "}";
        case "function_call" -> "call(" + n.getString("name") + ")";
        case "if" -> {
          List<String> b = new ArrayList<>();
          n.getJsonArray("branches").forEach(x -> b.add(outline(x.asJsonObject()
              .getJsonArray("nodes"))));
          yield "if{" + String.join("|", b) + "}";
        }
        case "try" -> "try{" + outline(n.getJsonObject("try_block").getJsonArray("nodes")) + "}"
            + (n.containsKey("catch_block")
                ? "catch{" + outline(n.getJsonObject("catch_block").getJsonArray("nodes")) + "}"
                : "")
            + (n.containsKey("finally_block")
                ? "finally{" + outline(n.getJsonObject("finally_block").getJsonArray("nodes"))
                    + "}" : "");
        default -> throw new AssertionError("unexpected node " + n);
      });
    }
    return String.join(" ", parts);
  }

  static JsonObject first(Class<?> type, String stepName) {
    for (JsonValue v : nodes(type)) {
      if (stepName.equals(v.asJsonObject().getString("name", null))) {
        return v.asJsonObject();
      }
    }
    throw new AssertionError(stepName + " not in " + nodes(type));
  }

  @Test
  void stepsInOrderWithTheirConfigAndDurations() {
    assertEquals("do(charge cart) sleep(grace period,*) do(create invoice) do(send invoice)",
        outline(InvoiceWorkflow.class));
    JsonObject send = first(InvoiceWorkflow.class, "send invoice");
    JsonObject retries = send.getJsonObject("config").getJsonObject("retries");
    assertEquals(3, retries.getInt("limit"));
    assertEquals("2 seconds", retries.getString("delay"));
    assertEquals("constant", retries.getString("backoff"));
    assertTrue(send.getInt("line") > 0, send::toString);
    // a default config is written out in full, as Cloudflare does
    JsonObject charge = first(InvoiceWorkflow.class, "charge cart").getJsonObject("config");
    assertEquals(5, charge.getJsonObject("retries").getInt("limit"));
    assertEquals("exponential", charge.getJsonObject("retries").getString("backoff"));
  }

  @Test
  void aConfigKeptInALocalVariable() {
    assertEquals("do(load api key) do(call payment service)",
        outline(ResilientCallWorkflow.class));
    JsonObject c = first(ResilientCallWorkflow.class, "call payment service")
        .getJsonObject("config");
    assertEquals(5, c.getJsonObject("retries").getInt("limit"));
    assertEquals("1 second", c.getJsonObject("retries").getString("delay"));
    assertEquals("exponential", c.getJsonObject("retries").getString("backoff"));
    assertEquals("10 seconds", c.getString("timeout"));
  }

  @Test
  void aWaitInATryBlockWithABranchAndACatch() {
    assertEquals("do(open ticket) try{wait(wait for approval,approval) if{do(execute)}}"
        + "catch{do(escalate)}", outline(ApprovalWorkflow.class));
    JsonObject t = nodes(ApprovalWorkflow.class).getJsonObject(1);
    assertEquals("dev.steadfast.workflow.EventTimeoutException",
        t.getJsonObject("catch_block").getString("catch_type"));
  }

  @Test
  void loops() {
    assertEquals("do(list items) loop{do(process item)} do(summarize)",
        outline(ProcessingWorkflow.class));
    assertEquals("do(start child) loop{do(check child) sleep(wait for child,1 second)}",
        outline(ParentWorkflow.class));
    // names built at run time keep their constant parts
    assertEquals("loop{loop{do(* *)}}", outline(EtlWorkflow.class));
    assertEquals("loop{do(process-*)} do(__agent_complete)",
        outline(DataProcessingWorkflow.class));
    assertTrue(nodes(DataProcessingWorkflow.class).getJsonObject(0).getJsonArray("nodes")
        .getJsonObject(0).getBoolean("dynamic"));
  }

  @Test
  void agentWorkflowsWithTheirDurableReports() {
    assertEquals("loop{do(model-turn) if{do(__agent_state)} do(tool *)}",
        outline(ResearchWorkflow.class));
    assertEquals("try{wait(wait-for-approval,approval)}catch{do(escalate) do(__agent_state)}"
        + " do(execute)", outline(ExpenseApprovalWorkflow.class));
    assertEquals("do(process-data) do(save-results) do(__agent_complete)",
        outline(AgentProcessingWorkflow.class));
  }

  @Test
  void aParallelGroupOfLambdasMadeInALoop() {
    assertEquals("all{do(branch *)} do(sum)", outline(TestWorkflows.FanOutWorkflow.class));
  }

  /** A helper method of the class that runs steps: a function call and its definition. */
  public static class WithHelper extends WorkflowEntrypoint<Integer, String> {
    @Override
    public String run(WorkflowEvent<Integer> event, WorkflowStep step) {
      step.run("first", () -> 1);
      String r = charge(step, event.payload());
      try {
        step.sleep("nap", Duration.ofMillis(150));
      } finally {
        step.run("cleanup", () -> true);
      }
      return r;
    }

    private String charge(WorkflowStep step, int amount) {
      if (amount > 100) {
        step.waitForEvent("approval", "approve", "1 hour");
      } else {
        step.run("auto approve", () -> true);
      }
      List<Callable<Integer>> branches = List.of(() -> step.run("a", () -> 1),
          () -> { step.run("b1", () -> 2); return step.run("b2", () -> 3); });
      step.all(branches);
      return "ok";
    }
  }

  @Test
  void helperMethodsElseBranchesFinallyAndMultiStepBranches() {
    JsonObject g = WorkflowGraph.of(WithHelper.class).getJsonObject("workflow");
    // javac copies a finally block onto the normal path: it is drawn once
    assertEquals("do(first) call(charge) try{sleep(nap,150 ms)}finally{do(cleanup)}",
        outline(g.getJsonArray("nodes")));
    JsonObject charge = g.getJsonObject("functions").getJsonObject("charge");
    assertEquals("function_def", charge.getString("type"));
    assertEquals("if{wait(approval,approve)|do(auto approve)} all{do(a) block{do(b1) do(b2)}}",
        outline(charge.getJsonArray("nodes")));
  }

  @Test
  void aClassWithoutRunIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> WorkflowGraph.of(String.class));
  }
}
