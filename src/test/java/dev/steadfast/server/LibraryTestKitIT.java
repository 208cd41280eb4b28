package dev.steadfast.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.jboss.shrinkwrap.resolver.api.maven.Maven;
import org.junit.jupiter.api.Test;

/**
 * The test kit as a user meets it: a project with the {@code lib} jar, the dependencies
 * docs/library.md lists for tests and nothing else, and the README's "Test your workflows"
 * example (a workflow of the user's own, mocked step, skipped sleep). The user's code is compiled
 * and run in a JVM of its own with exactly that class path, so nothing of this build leaks in.
 */
class LibraryTestKitIT {
  /** The user's code: a workflow and the README's test, as a main (no JUnit needed to prove it). */
  private static final String USER_CODE = """
      package com.example.kit;

      import dev.steadfast.workflow.InstanceStatus;
      import dev.steadfast.workflow.Status;
      import dev.steadfast.workflow.Workflow;
      import dev.steadfast.workflow.WorkflowEntrypoint;
      import dev.steadfast.workflow.WorkflowEvent;
      import dev.steadfast.workflow.WorkflowInstance;
      import dev.steadfast.workflow.WorkflowStep;
      import dev.steadfast.workflow.testing.WorkflowTestEnvironment;

      public class KitCheck {
        public record Cart(String customer, long cents) {}

        public record Invoice(String customer, long charged) {}

        @Workflow(name = "invoice", binding = "INVOICE_WORKFLOW")
        public static class InvoiceWorkflow extends WorkflowEntrypoint<Cart, Invoice> {
          @Override
          public Invoice run(WorkflowEvent<Cart> event, WorkflowStep step) {
            long charged = step.run("charge cart", Long.class, () -> event.payload().cents());
            step.sleep("grace period", "30 days");
            return new Invoice(event.payload().customer(), charged);
          }
        }

        public static void main(String[] args) throws Exception {
          try (var env = WorkflowTestEnvironment.builder()
              .register(InvoiceWorkflow.class, InvoiceWorkflow::new).start()) {
            env.introspect("c-1").mockStepResult("charge cart", 99L).disableSleeps();
            WorkflowInstance i = env.<Cart>client("invoice").create("c-1", new Cart("ada", 5));
            InstanceStatus s = env.awaitStatus(i, Status.COMPLETE);
            System.out.println("RESULT " + s.outputJson());
          }
        }
      }
      """;

  /** docs/library.md, "Tests": the JSON-B and JSON-P implementations beside the lib jar. */
  static final String[] TEST_DEPENDENCIES = {"org.eclipse:yasson:3.0.4"};

  private static List<File> documented(boolean withTestDependencies) {
    List<File> cp = new ArrayList<>();
    cp.add(TestWars.target().resolve("steadfast-lib.jar").toFile());
    cp.addAll(Arrays.asList(TestWars.runtimeLibraries()));
    // provided by the server, so on a user's test class path through the provided scope
    cp.addAll(Arrays.asList(Maven.resolver().resolve("jakarta.platform:jakarta.jakartaee-api:10.0.0",
        "org.eclipse.microprofile.config:microprofile-config-api:3.1")
        .withoutTransitivity().asFile()));
    if (withTestDependencies) {
      cp.addAll(Arrays.asList(Maven.resolver().resolve(TEST_DEPENDENCIES).withTransitivity()
          .asFile()));
    }
    return cp;
  }

  private static Result compileAndRun(List<File> classpath, Path dir) throws Exception {
    Path src = dir.resolve("src/com/example/kit/KitCheck.java");
    Path out = dir.resolve("classes");
    Files.createDirectories(src.getParent());
    Files.createDirectories(out);
    Files.writeString(src, USER_CODE);
    String cp = classpath.stream().map(File::getPath).collect(Collectors.joining(File.pathSeparator));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int compiled = javac.run(null, null, null, "-d", out.toString(), "-cp", cp, src.toString());
    assertEquals(0, compiled, "the README example does not compile against the documented jars");
    Path log = dir.resolve("run.log");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", out + File.pathSeparator + cp, "com.example.kit.KitCheck")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(3, TimeUnit.MINUTES), "the example did not finish");
    return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  record Result(int exit, String output) {}

  @Test
  void theReadmeExampleRunsWithTheDocumentedDependencies() throws Exception {
    Path dir = TestWars.emptyDirectory(TestWars.target().resolve("it-data/test-kit"));
    Result ok = compileAndRun(documented(true), dir.resolve("documented"));
    assertEquals(0, ok.exit(), ok.output());
    // the mocked step's result, after a 30-day sleep skipped (JSON-B orders fields by name)
    assertTrue(ok.output().contains("RESULT {\"charged\":99,\"customer\":\"ada\"}"), ok.output());

    // and the dependencies are needed: without them, the failure a user met (issue 12, item 15)
    Result without = compileAndRun(documented(false), dir.resolve("without"));
    assertNotEquals(0, without.exit(), without.output());
    assertTrue(Stream.of("JsonbException", "JSON Binding provider").anyMatch(without.output()
        ::contains), without.output());
  }
}
