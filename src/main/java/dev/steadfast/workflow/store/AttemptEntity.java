package dev.steadfast.workflow.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

/** One attempt of a do step. */
@Entity
@Table(name = "sf_attempt")
@IdClass(AttemptId.class)
public class AttemptEntity {
  @Id
  @Column(name = "instance_uid")
  String instanceUid;

  @Id int gen;

  @Id
  @Column(name = "step_key")
  String stepKey;

  @Id int attempt;

  @Column(name = "started_at")
  long startedAt;

  @Column(name = "ended_at")
  Long endedAt;

  Boolean success;

  @Column(name = "error_name")
  String errorName;

  @Column(name = "error_message")
  String errorMessage;

  public AttemptEntity() {}

  static AttemptEntity of(String uid, int gen, String stepKey, AttemptRecord r) {
    AttemptEntity e = new AttemptEntity();
    e.instanceUid = uid;
    e.gen = gen;
    e.stepKey = stepKey;
    e.attempt = r.attempt();
    e.startedAt = r.startedAt();
    e.endedAt = r.endedAt();
    e.success = r.success();
    e.errorName = r.errorName();
    e.errorMessage = r.errorMessage();
    return e;
  }

  AttemptRecord toRecord() {
    return new AttemptRecord(attempt, startedAt, endedAt, success, errorName, errorMessage);
  }

  String stepKey() {
    return stepKey;
  }
}
