package dev.steadfast.crash;

import dev.steadfast.workflow.StepConfig;
import dev.steadfast.workflow.StepContext;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowStep;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Goes through every kind of wait (a step, a sleep, a failing step that is retried, an event
 * wait, a long step) and writes each real execution of a step to probe.log in the data
 * directory: "start id step attempt" before the work and "done id step attempt" after it.
 */
@Workflow(name = "crash-probe")
public class CrashProbeWorkflow extends WorkflowEntrypoint<Integer, String> {

  static void log(String line) {
    Path file = Path.of(System.getenv("STEADFAST_DATA_DIR"), "probe.log");
    try {
      Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String work(String id, String step, long millis, boolean failFirst)
      throws InterruptedException {
    int attempt = StepContext.current().attempt();
    log("start " + id + " " + step + " " + attempt);
    Thread.sleep(millis);
    if (failFirst && attempt == 1) {
      log("failed " + id + " " + step + " " + attempt);
      throw new IllegalStateException("first attempt of " + step + " fails");
    }
    log("done " + id + " " + step + " " + attempt);
    return step + "@" + attempt;
  }

  @Override
  public String run(WorkflowEvent<Integer> event, WorkflowStep step) {
    String id = event.instanceId();
    long spread = 200L * (event.payload() % 5);
    String a = step.run("a", () -> work(id, "a", 100 + spread, false));
    step.sleep("nap", 1_500 + spread);
    String b = step.run("b", StepConfig.retries(3).delay("700 ms"),
        () -> work(id, "b", 200, true));
    step.waitForEvent("go", "go", "5 minutes");
    String c = step.run("c", () -> work(id, "c", 2_500, false));
    String d = step.run("d", () -> work(id, "d", 50, false));
    return String.join(",", a, b, c, d);
  }
}
