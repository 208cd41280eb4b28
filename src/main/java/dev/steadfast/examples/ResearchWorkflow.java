package dev.steadfast.examples;

import dev.steadfast.agent.AgentWorkflow;
import dev.steadfast.agent.AgentWorkflowStep;
import dev.steadfast.agent.DefaultProgress;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A durable research agent loop in the style of "Build a Durable AI Agent" (seed 003): each model
 * turn and each tool call is a step, so a crash resumes mid-conversation without asking the model
 * again. The model and the tools are deterministic local stand-ins (no external service).
 */
@Workflow(name = "research", binding = "RESEARCH_WORKFLOW")
public class ResearchWorkflow
    extends AgentWorkflow<TaskAgent, ResearchWorkflow.Params, DefaultProgress, String> {
  public record Params(String question) {}

  /** What the model answers: call a tool with an argument, or give the final answer. */
  public record Turn(String tool, String argument, String answer) {}

  static final int MAX_TURNS = 6;
  private static final Map<String, String> CORPUS = Map.of(
      "workflows", "Workflows run durable steps that survive crashes.",
      "agents", "Agents keep state and talk to clients in real time.",
      "steps", "A completed step is never run again; its result is replayed.");

  @Override
  public String run(WorkflowEvent<Params> event, AgentWorkflowStep<TaskAgent, DefaultProgress> step) {
    List<String> transcript = new ArrayList<>(List.of("user: " + event.payload().question()));
    for (int turn = 1; turn <= MAX_TURNS; turn++) {
      List<String> seen = List.copyOf(transcript);
      Turn t = step.run("model-turn", Turn.class, () -> model(seen));
      if (t.answer() != null) {
        step.mergeAgentState(Map.of("research", t.answer()));
        return t.answer();
      }
      String observation = step.run("tool " + t.tool(), () -> tool(t.tool(), t.argument()));
      transcript.add("tool " + t.tool() + "(" + t.argument() + "): " + observation);
      step.reportProgress(DefaultProgress.of("turn " + turn, DefaultProgress.Status.running,
          t.tool() + " " + t.argument(), turn / (double) MAX_TURNS));
    }
    return "no answer within " + MAX_TURNS + " turns";
  }

  /** The stand-in model: looks up each keyword of the question once, then answers from notes. */
  static Turn model(List<String> transcript) {
    String question = transcript.get(0).substring("user: ".length()).toLowerCase();
    for (String topic : CORPUS.keySet().stream().sorted().toList()) {
      boolean asked = question.contains(topic);
      boolean looked = transcript.stream().anyMatch(l -> l.startsWith("tool search(" + topic));
      if (asked && !looked) {
        return new Turn("search", topic, null);
      }
    }
    List<String> notes = transcript.stream().filter(l -> l.startsWith("tool "))
        .map(l -> l.substring(l.indexOf("): ") + 3)).toList();
    return new Turn(null, null, notes.isEmpty() ? "I found nothing on that." : String.join(" ", notes));
  }

  /** The stand-in tools. */
  static String tool(String name, String argument) {
    if (!name.equals("search")) {
      throw new IllegalArgumentException("unknown tool " + name);
    }
    return CORPUS.getOrDefault(argument, "nothing found");
  }
}
