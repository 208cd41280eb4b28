package dev.steadfast.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.testing.ApiClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The container images of {@code mvn -Pimage} (target/image/steadfast-micro.tar and
 * steadfast-wildfly.tar, built in the package phase of the test command too), run by a real
 * container runtime: Debian's podman, which {@code .ci/run} installs. Checks each image's
 * configuration (non-root user, the volume, the demos off, the port), that it has nothing but
 * Java (no shell), and then runs it with a read-only root file system (only the volume and a
 * tmpfs on /tmp writable): ready by its own health check command, a workflow through the REST
 * API, and a stop (SIGTERM) that leaves the instance and the server id, let go, in the H2 file on
 * the volume for the next container.
 *
 * <p>On this kind of machine podman needs runc (crun refuses its hybrid cgroups) and container
 * limits no higher than the machine's own ({@link #podmanRun}); elsewhere the same image runs
 * with plain {@code docker run}/{@code podman run} (docs/docker.md).
 */
class ImageIT {
  private static final Path TARGET = Path.of(System.getProperty("steadfast.target", "target"));

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"micro", "wildfly"})
  void theImageRunsAWorkflowAsANonRootUserAndKeepsItsDataOnTheVolume(String server)
      throws Exception {
    Assumptions.assumeFalse(server.equals("wildfly")
        && System.getProperty("steadfast.it.servers", "").equals("micro"),
        "-Dsteadfast.it.servers=micro: the WildFly image is neither built nor run");
    Path tar = TARGET.resolve("image/steadfast-" + server + ".tar");
    assertTrue(Files.isRegularFile(tar), tar + " is built by the package phase"
        + " (docker/image-base.sh and Jib; `mvn -Pimage package` alone)");
    String loaded = podman("load", "-i", tar.toString());
    String image = loaded.lines().filter(l -> l.startsWith("Loaded image: ")).findFirst()
        .map(l -> l.substring("Loaded image: ".length()).strip())
        .orElseThrow(() -> new AssertionError("podman load printed no image name:\n" + loaded));

    JsonObject config = json(podman("image", "inspect", "--format", "{{json .Config}}",
        image));
    // the health check command the image names (OCI images carry no HEALTHCHECK)
    String probe = config.getJsonObject("Labels").getString("dev.steadfast.healthcheck");
    assertEquals("10001:10001", config.getString("User"), "runs as a user of its own, not root");
    String env = config.getJsonArray("Env").toString();
    assertTrue(env.contains("STEADFAST_EXAMPLES_ENABLED=false"), "demos off by default: " + env);
    assertTrue(env.contains("STEADFAST_DATA_DIR=/data/steadfast\""), env);
    assertTrue(config.getJsonObject("Volumes").containsKey("/data"), config.toString());
    assertTrue(config.getJsonObject("ExposedPorts").containsKey("8080/tcp"), config.toString());
    long bytes = Long.parseLong(podman("image", "inspect", "--format", "{{.Size}}", image)
        .strip());
    System.out.printf("image %s: %d MiB unpacked, %d MiB as a tar of compressed layers%n",
        image, bytes >> 20, Files.size(tar) >> 20);

    Result shell = podmanRun(List.of("--rm", "--entrypoint", "/bin/sh"), image, "-c", "true");
    assertNotEquals(0, shell.code(), "the image has no shell");
    assertTrue(shell.out().contains("/bin/sh"), shell.out());

    String volume = "steadfast-it-" + UUID.randomUUID();
    String token = "image-it-" + UUID.randomUUID();
    int port = freePort();
    List<String> containers = new ArrayList<>();
    try {
      String first = start(image, probe, volume, token, port, containers);
      assertEquals("steadfast", podman("top", first, "user").lines().skip(1).findFirst()
          .orElse("").strip(), "the server's process runs as the image's user");
      ApiClient api = new ApiClient("http://127.0.0.1:" + port + "/client/v4/accounts/acc",
          token);
      String id = "inv-" + UUID.randomUUID();
      ApiClient.Reply created = api.send("POST", "/workflows/invoice/instances",
          "{\"instance_id\":\"" + id + "\",\"params\":{\"customer\":\"ada@example.com\",\"lines\":"
              + "[{\"product\":\"pen\",\"quantity\":2,\"unitCents\":150}],"
              + "\"grace\":\"1 second\"}}");
      assertEquals(200, created.status(), created.toString());
      String output = awaitComplete(api, id);
      // the application's directory on the volume: the image's STEADFAST_DATA_DIR
      Path data = Path.of(podman("volume", "inspect", "--format", "{{.Mountpoint}}", volume)
          .strip()).resolve("steadfast");
      String serverId = Files.readString(data.resolve("server-id")).strip();
      assertTrue(Files.isRegularFile(data.resolve("db/steadfast.mv.db")),
          "the H2 database is on the volume");

      // made by the server itself, private to its user: no warning about the secrets in it
      String log = podmanRun(List.of(), null, "logs", first).out();
      assertTrue(!log.contains("it holds secrets"), "the data directory is private:\n"
          + log.lines().filter(l -> l.contains("it holds secrets")).findFirst().orElse(""));

      // docker/podman stop: SIGTERM, as an orchestrator stops a container
      podman("stop", "-t", "60", first);
      assertEquals("exited", podman("inspect", "--format", "{{.State.Status}}", first).strip());
      // what the next container on this volume finds: the instance, its output, the server id
      // let go by the clean stop (a new container takes it over at once)
      try (Connection c = DriverManager.getConnection("jdbc:h2:file:"
          + data.resolve("db/steadfast") + ";IFEXISTS=TRUE", "sa", "");
          PreparedStatement q = c.prepareStatement(
              "SELECT status, output FROM sf_instance WHERE instance_id = ?")) {
        q.setString(1, id);
        try (ResultSet rs = q.executeQuery()) {
          assertTrue(rs.next(), "the instance is in the H2 file on the volume");
          assertEquals("complete", rs.getString(1));
          assertEquals(value(output), value(rs.getString(2)), "its output");
        }
        try (PreparedStatement s = c.prepareStatement(
            "SELECT nonce FROM sf_server WHERE server_id = ?")) {
          s.setString(1, serverId);
          try (ResultSet rs = s.executeQuery()) {
            assertTrue(rs.next(), "the server id " + serverId + " is registered");
            assertEquals(null, rs.getString(1),
                "the clean stop (SIGTERM) let go of the server id");
          }
        }
      }
    } finally {
      for (String c : containers) {
        podmanRun(List.of(), null, "rm", "-f", c);
      }
      podmanRun(List.of(), null, "volume", "rm", "-f", volume);
      podmanRun(List.of(), null, "rmi", "-f", image); // 200 MB of the machine's disk each run
    }
  }

  /** Runs a container of the image; returns once its health check command passes. */
  private static String start(String image, String probeCommand, String volume, String token,
      int port, List<String> containers) throws Exception {
    String name = "steadfast-it-" + UUID.randomUUID();
    containers.add(name);
    long t0 = System.nanoTime();
    // --read-only: the root file system as the image made it; podman mounts a tmpfs on /tmp
    Result run = podmanRun(List.of("-d", "--read-only", "--name", name,
        "-p", "127.0.0.1:" + port + ":8080",
        "-v", volume + ":/data", "-e", "STEADFAST_EXAMPLES_ENABLED=true",
        "-e", "STEADFAST_API_TOKENS=" + token,
        // the image's JVM options plus the tests' faster-starting ones (C1, serial GC)
        "-e", "JAVA_TOOL_OPTIONS=" + imageJvmOptions(image) + " "
            + System.getProperty("steadfast.it.jvmFlags", "")), image);
    assertEquals(0, run.code(), run.out());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (true) {
      Result probe = podmanRun(List.of(), null, concat("exec", name, probeCommand.split(" ")));
      if (probe.code() == 0) {
        System.out.printf("container ready by its health check in %.1f s%n",
            (System.nanoTime() - t0) / 1e9);
        return name;
      }
      Result state = podmanRun(List.of(), null, "inspect", "--format", "{{.State.Status}}", name);
      if (!state.out().contains("running") || System.nanoTime() > deadline) {
        throw new AssertionError("container " + name + " not ready (" + state.out().strip()
            + "); last check: " + probe.out() + "\nlog:\n"
            + podmanRun(List.of(), null, "logs", "--tail", "60", name).out());
      }
      Thread.sleep(1000);
    }
  }

  /** The image's own JAVA_TOOL_OPTIONS. */
  private static String imageJvmOptions(String image) throws Exception {
    return json(podman("image", "inspect", "--format", "{{json .Config}}", image))
        .getJsonArray("Env").getValuesAs(jakarta.json.JsonString.class).stream()
        .map(jakarta.json.JsonString::getString).filter(e -> e.startsWith("JAVA_TOOL_OPTIONS="))
        .map(e -> e.substring("JAVA_TOOL_OPTIONS=".length())).findFirst().orElse("");
  }

  private static String awaitComplete(ApiClient api, String id) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      ApiClient.Reply r = api.get("/workflows/invoice/instances/" + id);
      assertEquals(200, r.status(), r.toString());
      String status = r.result().asJsonObject().getString("status");
      if (status.equals("complete")) {
        return String.valueOf(r.result().asJsonObject().get("output"));
      }
      assertTrue(System.nanoTime() < deadline, "not complete in 60 s: " + r);
      assertTrue(!status.equals("errored") && !status.equals("terminated"), r.toString());
      Thread.sleep(250);
    }
  }

  record Result(int code, String out) {}

  /**
   * podman with runc, and {@code run} (when {@code image} is given) with limits this machine
   * allows: its open-files limit as it is, at most 32768 processes.
   */
  private static Result podmanRun(List<String> runFlags, String image, String... rest)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("podman"));
    if (Files.isExecutable(Path.of("/usr/sbin/runc")) || Files.isExecutable(Path.of("/usr/bin/runc"))) {
      cmd.addAll(List.of("--runtime", "runc"));
    }
    if (image != null) {
      cmd.add("run");
      cmd.addAll(List.of("--ulimit", "nofile=" + limit("Max open files", 20000)));
      cmd.addAll(List.of("--ulimit", "nproc=" + Math.min(32768, limit("Max processes", 32768))));
      cmd.addAll(runFlags);
      cmd.add(image);
    }
    cmd.addAll(List.of(rest));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + cmd);
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  private static String podman(String... args) throws Exception {
    Result r = podmanRun(List.of(), null, args);
    assertEquals(0, r.code(), () -> "podman " + String.join(" ", args) + ":\n" + r.out());
    return r.out();
  }

  /** This process's hard limit named {@code name} in /proc/self/limits. */
  private static long limit(String name, long otherwise) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
      if (line.startsWith(name)) {
        String[] f = line.substring(name.length()).trim().split("\\s+");
        return f[1].equals("unlimited") ? otherwise : Long.parseLong(f[1]);
      }
    }
    return otherwise;
  }

  private static String[] concat(String a, String b, String... rest) {
    String[] out = new String[rest.length + 2];
    out[0] = a;
    out[1] = b;
    System.arraycopy(rest, 0, out, 2, rest.length);
    return out;
  }

  private static jakarta.json.JsonValue value(String text) {
    try (var r = Json.createReader(new StringReader(text.strip()))) {
      return r.readValue();
    }
  }

  private static JsonObject json(String text) {
    try (var r = Json.createReader(new StringReader(text.strip()))) {
      return r.readObject();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
