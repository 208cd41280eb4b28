package dev.steadfast.agent.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

/** One agent instance and its state as JSON text (null: never set). */
@Entity
@Table(name = "sf_agent")
@IdClass(AgentKey.class)
public class AgentEntity {
  @Id public String agent;
  @Id public String name;
  public String state;

  @Column(name = "created_at")
  public long createdAt;

  @Column(name = "updated_at")
  public long updatedAt;
}
