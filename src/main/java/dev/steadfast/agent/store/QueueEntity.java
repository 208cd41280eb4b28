package dev.steadfast.agent.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A pending queue item of an agent instance, ordered by {@code seq}. */
@Entity
@Table(name = "sf_agent_queue")
public class QueueEntity {
  @Id public String id;
  public String agent;
  public String name;
  public String callback;
  public String payload;
  public long seq;

  @Column(name = "created_at")
  public long createdAt;
}
