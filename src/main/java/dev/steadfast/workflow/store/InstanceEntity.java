package dev.steadfast.workflow.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A workflow instance: its status, params, output and dispatch bookkeeping. */
@Entity
@Table(name = "sf_instance")
public class InstanceEntity {
  @Id String uid;

  @Column(name = "workflow_name")
  String workflowName;

  @Column(name = "instance_id")
  String instanceId;

  String status;
  String params;
  String output;

  @Column(name = "error_name")
  String errorName;

  @Column(name = "error_message")
  String errorMessage;

  @Column(name = "trigger_source")
  String triggerSource;

  @Column(name = "version_id")
  String versionId;

  @Column(name = "created_at")
  long createdAt;

  @Column(name = "modified_at")
  long modifiedAt;

  @Column(name = "started_at")
  Long startedAt;

  @Column(name = "ended_at")
  Long endedAt;

  @Column(name = "due_at")
  Long dueAt;

  String owner;

  @Column(name = "lease_until")
  Long leaseUntil;

  int gen;
  long signals;
  String control;

  /** See V8__rollbacks.sql: the outcome of the instance's rollback, null when none ran. */
  @Column(name = "rollback_outcome")
  String rollbackOutcome;

  @Column(name = "rollback_step")
  String rollbackStep;

  @Column(name = "rollback_error_name")
  String rollbackErrorName;

  @Column(name = "rollback_error_message")
  String rollbackErrorMessage;

  /** Retention once complete / errored or terminated, in ms; null: the server's default. */
  @Column(name = "retain_success")
  Long retainSuccess;

  @Column(name = "retain_error")
  Long retainError;

  /** When the finished instance is deleted; null: its end plus the server's default. */
  @Column(name = "purge_at")
  Long purgeAt;

  public InstanceEntity() {}

  /** The stored rollback outcome (null when no rollback ended). */
  public RollbackRecord rollback() {
    return rollbackOutcome == null ? null
        : new RollbackRecord(rollbackOutcome, rollbackStep, rollbackErrorName, rollbackErrorMessage);
  }

  /** Sets (or with null clears) the stored rollback outcome. */
  public void setRollback(RollbackRecord r) {
    rollbackOutcome = r == null ? null : r.outcome();
    rollbackStep = r == null ? null : r.step();
    rollbackErrorName = r == null ? null : r.errorName();
    rollbackErrorMessage = r == null ? null : r.errorMessage();
  }

  InstanceRecord toRecord() {
    return new InstanceRecord(
        uid, workflowName, instanceId, status, params, output, errorName, errorMessage,
        triggerSource, versionId, createdAt, modifiedAt, startedAt, endedAt, dueAt, owner,
        leaseUntil, gen, signals, control);
  }

  public String getUid() {
    return uid;
  }

  public void setUid(String uid) {
    this.uid = uid;
  }

  public String getWorkflowName() {
    return workflowName;
  }

  public void setWorkflowName(String workflowName) {
    this.workflowName = workflowName;
  }

  public String getInstanceId() {
    return instanceId;
  }

  public void setInstanceId(String instanceId) {
    this.instanceId = instanceId;
  }

  public String getStatus() {
    return status;
  }

  public void setStatus(String status) {
    this.status = status;
  }

  public String getParams() {
    return params;
  }

  public void setParams(String params) {
    this.params = params;
  }

  public String getOutput() {
    return output;
  }

  public void setOutput(String output) {
    this.output = output;
  }

  public String getErrorName() {
    return errorName;
  }

  public void setErrorName(String errorName) {
    this.errorName = errorName;
  }

  public String getErrorMessage() {
    return errorMessage;
  }

  public void setErrorMessage(String errorMessage) {
    this.errorMessage = errorMessage;
  }

  public String getTriggerSource() {
    return triggerSource;
  }

  public void setTriggerSource(String triggerSource) {
    this.triggerSource = triggerSource;
  }

  public String getVersionId() {
    return versionId;
  }

  public void setVersionId(String versionId) {
    this.versionId = versionId;
  }

  public long getCreatedAt() {
    return createdAt;
  }

  public void setCreatedAt(long createdAt) {
    this.createdAt = createdAt;
  }

  public long getModifiedAt() {
    return modifiedAt;
  }

  public void setModifiedAt(long modifiedAt) {
    this.modifiedAt = modifiedAt;
  }

  public Long getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(Long startedAt) {
    this.startedAt = startedAt;
  }

  public Long getEndedAt() {
    return endedAt;
  }

  public void setEndedAt(Long endedAt) {
    this.endedAt = endedAt;
  }

  public Long getDueAt() {
    return dueAt;
  }

  public void setDueAt(Long dueAt) {
    this.dueAt = dueAt;
  }

  public String getOwner() {
    return owner;
  }

  public void setOwner(String owner) {
    this.owner = owner;
  }

  public Long getLeaseUntil() {
    return leaseUntil;
  }

  public void setLeaseUntil(Long leaseUntil) {
    this.leaseUntil = leaseUntil;
  }

  public int getGen() {
    return gen;
  }

  public void setGen(int gen) {
    this.gen = gen;
  }

  public long getSignals() {
    return signals;
  }

  public void setSignals(long signals) {
    this.signals = signals;
  }

  public String getControl() {
    return control;
  }

  public void setControl(String control) {
    this.control = control;
  }

  public Long getRetainSuccess() {
    return retainSuccess;
  }

  public void setRetainSuccess(Long retainSuccess) {
    this.retainSuccess = retainSuccess;
  }

  public Long getRetainError() {
    return retainError;
  }

  public void setRetainError(Long retainError) {
    this.retainError = retainError;
  }

  public Long getPurgeAt() {
    return purgeAt;
  }

  public void setPurgeAt(Long purgeAt) {
    this.purgeAt = purgeAt;
  }
}
