package dev.steadfast.examples;

import dev.steadfast.agent.Agent;
import dev.steadfast.agent.AgentDefinition;
import dev.steadfast.agent.Callable;
import dev.steadfast.agent.RunWorkflowOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seeds' agent: it starts the demo workflows for its clients, keeps every task's progress in
 * its state (so each client sees it live), takes approvals, and stores results the workflows hand
 * back. A browser drives it with {@code agent.call("startProcessing", [...])} and watches state.
 */
@AgentDefinition
public class TaskAgent extends Agent<TaskAgent.State> {
  /** What every client sees. */
  public static class State {
    public Map<String, Task> tasks = new LinkedHashMap<>();
    public List<String> saved = new ArrayList<>();
    public String research;
    public int escalations;
  }

  /** One started workflow as clients see it. */
  public static class Task {
    public String id;
    public String kind;
    public String status = "queued";
    public String message;
    public Double percent;
    public Object result;
  }

  @Override
  public State initialState() {
    return new State();
  }

  @Callable(description = "Processes data in a workflow (seed 000); returns the task id")
  public String startProcessing(String data) {
    return start("agent-processing", Map.of("taskId", "t", "data", data));
  }

  @Callable(description = "Asks for approval of an expense; escalates after timeoutSeconds")
  public String startApproval(String title, int amount, int timeoutSeconds) {
    return start("expense-approval",
        Map.of("title", title, "amount", amount, "timeoutSeconds", timeoutSeconds));
  }

  @Callable(description = "Processes items one step each, with per-item progress")
  public String startDataProcessing(List<String> items) {
    return start("data-processing", Map.of("items", items));
  }

  @Callable(description = "Runs the ETL pipeline over tables")
  public String startEtl(List<String> tables) {
    return start("etl", Map.of("tables", tables));
  }

  @Callable(description = "Researches a question with the local model and tools")
  public String startResearch(String question) {
    return start("research", Map.of("question", question));
  }

  @Callable(description = "Approves a waiting task")
  public void approve(String id, String reason) {
    approveWorkflow(id, reason, Map.of("approvedBy", "browser"));
  }

  @Callable(description = "Rejects a waiting task")
  public void reject(String id, String reason) {
    rejectWorkflow(id, reason);
  }

  private String start(String workflow, Map<String, Object> params) {
    String id = runWorkflow(workflow, params, RunWorkflowOptions.withMetadata(Map.of("kind", workflow)));
    update(id, t -> t.kind = workflow);
    return id;
  }

  /** Called by the processing workflow inside a step (durable: once). */
  public void saveResult(String taskId, Object result) {
    update(taskId, t -> t.result = result);
    State s = copy();
    s.saved.add(taskId);
    setState(s);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void onWorkflowProgress(String workflowName, String id, Object progress) {
    Map<String, Object> p = progress instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    update(id, t -> {
      t.status = "running";
      t.message = String.valueOf(p.getOrDefault("message", p.getOrDefault("stage", "")));
      if (p.get("percent") instanceof Number n) {
        t.percent = n.doubleValue();
      }
    });
  }

  @Override
  public void onWorkflowComplete(String workflowName, String id, Object result) {
    update(id, t -> {
      t.status = "complete";
      t.percent = 1.0;
      t.result = result;
    });
  }

  @Override
  public void onWorkflowError(String workflowName, String id, String error) {
    update(id, t -> {
      t.status = "errored";
      t.message = error;
    });
  }

  private void update(String id, java.util.function.Consumer<Task> change) {
    State s = copy();
    Task t = s.tasks.computeIfAbsent(id, k -> {
      Task n = new Task();
      n.id = k;
      return n;
    });
    change.accept(t);
    setState(s);
  }

  private State copy() {
    State s = new State();
    s.tasks = new LinkedHashMap<>(state().tasks);
    s.saved = new ArrayList<>(state().saved);
    s.research = state().research;
    s.escalations = state().escalations;
    return s;
  }
}
