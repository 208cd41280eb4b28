package dev.steadfast.crash;

import dev.steadfast.agent.Agent;
import dev.steadfast.agent.AgentDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent of AgentWorkflowCrashIT: its callbacks append to lists in its state (not idempotent,
 * so a repeated state change would show twice) and log each invocation to callbacks.log in the
 * data directory. Lives only in that test's WAR.
 */
@AgentDefinition
public class CrashAgent extends Agent<Map<String, Object>> {
  @Override
  public Map<String, Object> initialState() {
    return new LinkedHashMap<>();
  }

  @Override
  public void onWorkflowEvent(String workflowName, String workflowId, Object event) {
    append("events", workflowId);
  }

  @Override
  public void onWorkflowComplete(String workflowName, String workflowId, Object result) {
    append("completions", workflowId);
  }

  @SuppressWarnings("unchecked")
  private void append(String list, String workflowId) {
    log(list + " " + workflowId);
    Map<String, Object> next = new LinkedHashMap<>(state());
    List<Object> items = new ArrayList<>((List<Object>) next.getOrDefault(list, List.of()));
    items.add(workflowId);
    next.put(list, items);
    setState(next);
  }

  static void log(String line) {
    Path file = Path.of(System.getenv("STEADFAST_DATA_DIR"), "callbacks.log");
    try {
      Files.writeString(file, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
