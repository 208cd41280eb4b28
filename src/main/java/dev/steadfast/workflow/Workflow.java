package dev.steadfast.workflow;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Stereotype;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a workflow: put it on a subclass of {@link WorkflowEntrypoint}. The class becomes a CDI
 * bean (so {@code @Inject} works in it) and is deployed under {@link #name()}.
 *
 * <pre>{@code
 * @Workflow(name = "order-processing", binding = "ORDER_WORKFLOW")
 * public class OrderWorkflow extends WorkflowEntrypoint<Order, Receipt> { ... }
 * }</pre>
 */
@Stereotype
@Dependent
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Workflow {
  /** The workflow's name: {@code ^[a-zA-Z0-9_][a-zA-Z0-9-_]*$}, at most 64 characters. */
  String name();

  /**
   * The binding name application code uses to reach it, e.g. {@code PROCESSING_WORKFLOW}; empty
   * means the name itself.
   */
  String binding() default "";

  /**
   * Do steps one run of an instance may record, 1 to 25,000; 0 (the default) means the server's
   * {@code steadfast.workflow.step-limit} (10,000 unless configured). A run that tries one more
   * fails with {@code StepLimitExceeded}.
   */
  int stepLimit() default 0;

  /**
   * At most this many instances of the workflow run at once across all servers on one database;
   * more are queued (status {@code queued}) and start as running ones finish, sleep or wait. 0
   * means no limit. Config key {@code steadfast.workflow.<name>.concurrency.limit} overrides it.
   */
  int concurrencyLimit() default 0;

  /**
   * Cron schedules (5 fields, UTC, e.g. {@code "*}{@code /5 * * * *"} or {@code "0 9 * * MON-FRI"}):
   * each tick starts one instance, once across all servers on one database. Config key {@code
   * steadfast.workflow.<name>.schedules} (expressions separated by {@code ;}, or {@code none})
   * overrides them.
   */
  String[] schedules() default {};

  /**
   * How long a complete instance is kept (e.g. {@code "7 days"}); empty for the server's default.
   * An instance's own {@link Retention} takes precedence. Config key {@code
   * steadfast.workflow.<name>.retention.success} overrides it.
   */
  String successRetention() default "";

  /**
   * How long an errored or terminated instance is kept; empty for the server's default. Config key
   * {@code steadfast.workflow.<name>.retention.error} overrides it.
   */
  String errorRetention() default "";
}
