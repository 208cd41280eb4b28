package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.WorkflowException;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The workflows this server can run, by name and by binding. */
public final class WorkflowRegistry {
  private final Map<String, WorkflowDefinition> byName = new ConcurrentHashMap<>();
  private final Map<String, WorkflowDefinition> byBinding = new ConcurrentHashMap<>();

  /**
   * Adds a workflow.
   *
   * @throws WorkflowException INVALID if another class has the same name or binding, or its
   *     step limit is out of range
   */
  public void register(WorkflowDefinition def) {
    StepLimits.validate(def);
    WorkflowDefinition old = byName.putIfAbsent(def.name(), def);
    if (old != null && old.workflowClass() != def.workflowClass()) {
      throw new WorkflowException(
          WorkflowException.Reason.INVALID,
          "workflow name '" + def.name() + "' is used by both " + old.workflowClass().getName()
              + " and " + def.workflowClass().getName());
    }
    WorkflowDefinition oldBinding = byBinding.putIfAbsent(def.binding(), def);
    if (oldBinding != null && oldBinding.workflowClass() != def.workflowClass()) {
      throw new WorkflowException(
          WorkflowException.Reason.INVALID,
          "binding '" + def.binding() + "' is used by both " + oldBinding.workflowClass().getName()
              + " and " + def.workflowClass().getName());
    }
  }

  /** The workflow with this name or binding, or null. */
  public WorkflowDefinition find(String nameOrBinding) {
    WorkflowDefinition d = byName.get(nameOrBinding);
    return d != null ? d : byBinding.get(nameOrBinding);
  }

  /** The workflow with this class, or null. */
  public WorkflowDefinition find(Class<?> type) {
    for (WorkflowDefinition d : byName.values()) {
      if (d.workflowClass() == type) {
        return d;
      }
    }
    return null;
  }

  /**
   * The workflow with this name or binding.
   *
   * @throws WorkflowException WORKFLOW_NOT_FOUND if there is none
   */
  public WorkflowDefinition require(String nameOrBinding) {
    WorkflowDefinition d = find(nameOrBinding);
    if (d == null) {
      throw new WorkflowException(
          WorkflowException.Reason.WORKFLOW_NOT_FOUND,
          "workflow '" + nameOrBinding + "' not found");
    }
    return d;
  }

  /** The names of the workflows this server runs. */
  public java.util.Set<String> names() {
    return java.util.Collections.unmodifiableSet(byName.keySet());
  }

  public Collection<WorkflowDefinition> all() {
    return byName.values();
  }
}
