package dev.steadfast.workflow.store;

import java.io.Serializable;
import java.util.Objects;

/** Primary key of {@link AttemptEntity}. */
public class AttemptId implements Serializable {
  private static final long serialVersionUID = 1L;
  String instanceUid;
  int gen;
  String stepKey;
  int attempt;

  public AttemptId() {}

  public AttemptId(String instanceUid, int gen, String stepKey, int attempt) {
    this.instanceUid = instanceUid;
    this.gen = gen;
    this.stepKey = stepKey;
    this.attempt = attempt;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AttemptId a
        && gen == a.gen
        && attempt == a.attempt
        && Objects.equals(instanceUid, a.instanceUid)
        && Objects.equals(stepKey, a.stepKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(instanceUid, gen, stepKey, attempt);
  }
}
