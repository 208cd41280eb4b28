package dev.steadfast.workflow.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A deployed workflow: recorded when its class is registered, updated when the class changes. */
@Entity
@Table(name = "sf_workflow")
public class WorkflowEntity {
  @Id String name;

  @Column(name = "class_name")
  String className;

  String binding;

  @Column(name = "version_id")
  String versionId;

  @Column(name = "created_at")
  long createdAt;

  @Column(name = "modified_at")
  long modifiedAt;

  @Column(name = "triggered_at")
  Long triggeredAt;

  public WorkflowEntity() {}

  WorkflowRecord toRecord() {
    return new WorkflowRecord(name, className, binding, versionId, createdAt, modifiedAt, triggeredAt);
  }
}
