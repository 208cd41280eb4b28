package dev.steadfast.examples;

import dev.steadfast.agent.Agent;
import dev.steadfast.agent.AgentDefinition;
import dev.steadfast.agent.Callable;
import dev.steadfast.agent.RunWorkflowOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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

  /**
   * One started workflow as clients see it. Status: queued, running, waiting (for an approval),
   * complete, rejected, errored.
   */
  public static class Task {
    public String id;
    public String kind;
    /** What was asked, in a few words (the data, the expense, the question…). */
    public String title;
    public String status = "queued";
    public String message;
    public Double percent;
    public Object result;
    /**
     * When the workflow reported the latest progress (epoch milliseconds, fractional), if it
     * stamped one ("at"): lets a client measure progress-to-screen latency.
     */
    public Double progressAt;
    /** The latest messages, oldest first (at most {@link #MESSAGES}). */
    public List<String> messages = new ArrayList<>();

    Task copy() {
      Task t = new Task();
      t.id = id;
      t.kind = kind;
      t.title = title;
      t.status = status;
      t.message = message;
      t.percent = percent;
      t.result = result;
      t.progressAt = progressAt;
      t.messages = messages == null ? new ArrayList<>() : new ArrayList<>(messages);
      return t;
    }

    void say(String text) {
      message = text;
      if (messages == null) {
        messages = new ArrayList<>();
      }
      if (text != null && !text.isBlank()) {
        messages.add(text);
        if (messages.size() > MESSAGES) {
          messages.remove(0);
        }
      }
    }
  }

  /** How many messages a task keeps. */
  public static final int MESSAGES = 8;

  /** How a rejection reaches onWorkflowError (WorkflowRejectedError's message). */
  private static final String REJECTED = "Workflow rejected:";

  @Override
  public State initialState() {
    return new State();
  }

  @Callable(description = "Processes data in a workflow (seed 000); returns the task id")
  public String startProcessing(String data) {
    return start("agent-processing", data, Map.of("taskId", "t", "data", data));
  }

  @Callable(description = "Asks for approval of an expense; escalates after timeoutSeconds")
  public String startApproval(String title, int amount, int timeoutSeconds) {
    return start("expense-approval", title + " (" + amount + ")",
        Map.of("title", title, "amount", amount, "timeoutSeconds", timeoutSeconds));
  }

  @Callable(description = "Processes items one step each, with per-item progress")
  public String startDataProcessing(List<String> items) {
    return start("data-processing", items.size() + (items.size() == 1 ? " item" : " items"),
        Map.of("items", items));
  }

  @Callable(description = "Runs the ETL pipeline over tables")
  public String startEtl(List<String> tables) {
    return start("etl", String.join(", ", tables), Map.of("tables", tables));
  }

  @Callable(description = "Researches a question with the local model and tools")
  public String startResearch(String question) {
    return start("research", question, Map.of("question", question));
  }

  @Callable(description = "Approves a waiting task")
  public void approve(String id, String reason) {
    approveWorkflow(id, reason, Map.of("approvedBy", "browser"));
    Task task = state().tasks.get(id);
    if (task == null || !"waiting".equals(task.status)) {
      return; // nothing to show: the agent did not start it, or it is no longer waiting
    }
    update(id, t -> {
      t.status = "running";
      t.say(reason == null || reason.isBlank() ? "Approved" : "Approved: " + reason);
    });
  }

  @Callable(description = "Rejects a waiting task")
  public void reject(String id, String reason) {
    rejectWorkflow(id, reason);
  }

  private String start(String workflow, String title, Map<String, Object> params) {
    String id = runWorkflow(workflow, params, RunWorkflowOptions.withMetadata(Map.of("kind", workflow)));
    update(id, t -> {
      t.kind = workflow;
      t.title = title;
    });
    return id;
  }

  /** Called by the processing workflow inside a step (durable: once). */
  public void saveResult(String taskId, Object result) {
    update(taskId, t -> t.result = result);
    State s = copy();
    s.saved.add(taskId);
    setState(s);
  }

  /**
   * A progress report: {@code DefaultProgress} arrives as a map, the ETL's {@code PipelineProgress}
   * as itself. Progress is not durable: a run that resumes (after an approval, or after a crash)
   * repeats the reports of the steps it replays. Those are dropped here, so clients see each
   * report once and a bar never goes backwards: a report for a finished task, one below the
   * task's fraction, or one repeating a message at the same fraction.
   */
  @Override
  public void onWorkflowProgress(String workflowName, String id, Object progress) {
    String message;
    Double percent;
    boolean pending = false;
    Double at = null;
    if (progress instanceof EtlWorkflow.PipelineProgress e) {
      message = e.stage() + " " + e.currentTable();
      percent = e.totalRecords() > 0 ? e.recordsProcessed() / (double) e.totalRecords() : null;
    } else if (progress instanceof Map<?, ?> p) {
      Object text = p.get("message") != null ? p.get("message") : p.get("step");
      message = text == null ? "" : text.toString();
      percent = p.get("percent") instanceof Number n ? n.doubleValue() : null;
      pending = "pending".equals(p.get("status")); // the approval flow waiting for a person
      at = p.get("at") instanceof Number n ? n.doubleValue() : null;
    } else {
      message = String.valueOf(progress);
      percent = null;
    }
    Task current = state().tasks.get(id);
    if (current != null && replayed(current, message, percent)) {
      return;
    }
    boolean waiting = pending;
    Double stamp = at;
    update(id, t -> {
      t.status = waiting ? "waiting" : "running";
      t.say(message);
      if (percent != null) {
        t.percent = percent;
      }
      t.progressAt = stamp;
    });
  }

  private static boolean replayed(Task t, String message, Double percent) {
    if (List.of("complete", "rejected", "errored").contains(t.status)) {
      return true;
    }
    if (percent != null && t.percent != null && percent < t.percent) {
      return true;
    }
    return t.messages != null && t.messages.contains(message) && Objects.equals(percent, t.percent);
  }

  @Override
  public void onWorkflowComplete(String workflowName, String id, Object result) {
    update(id, t -> {
      t.status = "complete";
      t.percent = 1.0;
      t.result = result;
      t.say("Complete");
    });
  }

  @Override
  public void onWorkflowError(String workflowName, String id, String error) {
    update(id, t -> {
      t.status = error != null && error.startsWith(REJECTED) ? "rejected" : "errored";
      t.say(error);
    });
  }

  private void update(String id, java.util.function.Consumer<Task> change) {
    State s = copy();
    Task t = s.tasks.containsKey(id) ? s.tasks.get(id).copy() : new Task();
    t.id = id;
    change.accept(t);
    s.tasks.put(id, t);
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
