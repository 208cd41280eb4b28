package dev.steadfast.workflow.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

/** One step occurrence (do, sleep or waitForEvent) of one run generation of an instance. */
@Entity
@Table(name = "sf_step")
@IdClass(StepId.class)
public class StepEntity {
  @Id
  @Column(name = "instance_uid")
  String instanceUid;

  @Id int gen;

  @Id
  @Column(name = "step_key")
  String stepKey;

  int seq;
  String kind;
  String name;
  int occurrence;
  String state;
  String config;
  String result;

  @Column(name = "result_type")
  String resultType;

  @Column(name = "error_name")
  String errorName;

  @Column(name = "error_message")
  String errorMessage;

  int attempts;
  int failures;

  @Column(name = "started_at")
  long startedAt;

  @Column(name = "ended_at")
  Long endedAt;

  @Column(name = "due_at")
  Long dueAt;

  @Column(name = "event_type")
  String eventType;

  @Column(name = "event_at")
  Long eventAt;

  public StepEntity() {}

  static StepEntity of(String uid, int gen, StepRecord r) {
    StepEntity e = new StepEntity();
    e.instanceUid = uid;
    e.gen = gen;
    e.copy(r);
    return e;
  }

  void copy(StepRecord r) {
    stepKey = r.key();
    seq = r.seq();
    kind = r.kind();
    name = r.name();
    occurrence = r.occurrence();
    state = r.state();
    config = r.config();
    result = r.result();
    resultType = r.resultType();
    errorName = r.errorName();
    errorMessage = r.errorMessage();
    attempts = r.attempts();
    failures = r.failures();
    startedAt = r.startedAt();
    endedAt = r.endedAt();
    dueAt = r.dueAt();
    eventType = r.eventType();
    eventAt = r.eventAt();
  }

  StepRecord toRecord() {
    return new StepRecord(
        stepKey, seq, kind, name, occurrence, state, config, result, resultType, errorName,
        errorMessage, attempts, failures, startedAt, endedAt, dueAt, eventType, eventAt);
  }
}
