package dev.steadfast.workflow.store;

import java.io.Serializable;
import java.util.Objects;

/** Primary key of {@link StepEntity}. */
public class StepId implements Serializable {
  private static final long serialVersionUID = 1L;
  String instanceUid;
  int gen;
  String stepKey;

  public StepId() {}

  public StepId(String instanceUid, int gen, String stepKey) {
    this.instanceUid = instanceUid;
    this.gen = gen;
    this.stepKey = stepKey;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StepId s
        && gen == s.gen
        && Objects.equals(instanceUid, s.instanceUid)
        && Objects.equals(stepKey, s.stepKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(instanceUid, gen, stepKey);
  }
}
