package dev.steadfast.workflow.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An event sent to an instance; consumed once by a waitForEvent of its type, in FIFO order. */
@Entity
@Table(name = "sf_event")
public class EventEntity {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  Long seq;

  @Column(name = "instance_uid")
  String instanceUid;

  @Column(name = "event_type")
  String eventType;

  String payload;

  @Column(name = "created_at")
  long createdAt;

  @Column(name = "consumed_gen")
  Integer consumedGen;

  @Column(name = "consumed_by")
  String consumedBy;

  public EventEntity() {}
}
