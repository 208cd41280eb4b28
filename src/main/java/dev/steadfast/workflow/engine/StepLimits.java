package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.WorkflowException.Reason;

/**
 * How many do steps one run of an instance may record: {@code steadfast.workflow.step-limit}
 * (default {@value #DEFAULT}), or the workflow's own {@link Workflow#stepLimit()}, at most
 * {@value #MAX}, as on Cloudflare. The limit stops a run that loops by mistake before its journal
 * grows without bound.
 */
public final class StepLimits {
  /** Steps per instance unless configured otherwise. */
  public static final int DEFAULT = 10_000;
  /** The most a workflow (or the server) may allow. */
  public static final int MAX = 25_000;

  private StepLimits() {}

  /** The limit for instances of {@code def}. */
  static int of(WorkflowDefinition def, EngineConfig config) {
    Workflow w = def.workflowClass().getAnnotation(Workflow.class);
    return w != null && w.stepLimit() > 0 ? w.stepLimit() : config.stepLimit();
  }

  /** Refuses a workflow class whose declared limit is out of range (when it is registered). */
  static void validate(WorkflowDefinition def) {
    Workflow w = def.workflowClass().getAnnotation(Workflow.class);
    if (w != null && (w.stepLimit() < 0 || w.stepLimit() > MAX)) {
      throw new WorkflowException(Reason.INVALID, "workflow '" + def.name() + "' declares"
          + " stepLimit = " + w.stepLimit() + "; it must be 1 to " + MAX + " (0: the server's)");
    }
  }

  /** Fails the run when it is about to record one do step more than its limit. */
  static void check(WorkflowDefinition def, EngineConfig config, int recorded, String step) {
    int limit = of(def, config);
    if (recorded >= limit) {
      throw new Signals.Fatal("StepLimitExceeded", "the instance tried to run more than " + limit
          + " steps (step '" + step + "'); raise the workflow's @Workflow(stepLimit = …) (at most "
          + MAX + ") if it must");
    }
  }
}
