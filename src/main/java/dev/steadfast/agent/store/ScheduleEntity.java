package dev.steadfast.agent.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A durable schedule of an agent instance; {@code dueAt} drives the timer. */
@Entity
@Table(name = "sf_agent_schedule")
public class ScheduleEntity {
  @Id public String id;
  public String agent;
  public String name;
  public String callback;
  public String payload;
  public String type;

  @Column(name = "due_at")
  public long dueAt;

  @Column(name = "delay_seconds")
  public Long delaySeconds;

  public String cron;

  @Column(name = "interval_seconds")
  public Long intervalSeconds;

  @Column(name = "running_since")
  public Long runningSince;

  @Column(name = "created_at")
  public long createdAt;
}
