package com.example.shop;

import dev.steadfast.workflow.StepConfig;
import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEntrypoint;
import dev.steadfast.workflow.WorkflowEvent;
import dev.steadfast.workflow.WorkflowStep;
import jakarta.inject.Inject;

/** Welcomes a new customer: a mail now, a reminder after a (short) pause. */
@Workflow(name = "welcome", binding = "WELCOME_WORKFLOW")
public class WelcomeWorkflow extends WorkflowEntrypoint<WelcomeWorkflow.Signup, WelcomeWorkflow.Sent> {

  public record Signup(String email, String pause) {}

  public record Sent(String welcome, String reminder) {}

  @Inject Mailer mailer;

  @Override
  public Sent run(WorkflowEvent<Signup> event, WorkflowStep step) {
    Signup s = event.payload();
    String welcome = step.run("send welcome", StepConfig.retries(3).delay("1 second"),
        () -> mailer.send(s.email(), "Welcome"));
    step.sleep("let them look around", s.pause());
    String reminder = step.run("send reminder", () -> mailer.send(s.email(), "Need help?"));
    return new Sent(welcome, reminder);
  }
}
